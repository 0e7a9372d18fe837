//! The code of `notebooks/ioc-extraction.ipynb`, run as a test so the
//! notebook's cells are known to compile and work on the bundled data.

use huntbook::prelude::*;

#[test]
fn notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let procs = read_file(hb.data_path("msticpy/testdata/processes_on_host.csv")?)?;
    let _ = procs
        .select(["NewProcessName", "CommandLine"])?
        .head(Some(5));

    let iocs = IocExtractor::new()
        .include_paths(true)
        .extract_df(&procs, &["CommandLine"])?;
    assert!(iocs.len() > 100, "{}", iocs.len());
    assert!(iocs.to_html().contains("observables"));
    let counts = iocs.counts_by_type()?;
    let types: Vec<&str> = counts.column("IoCType")?.str()?.iter().flatten().collect();
    assert!(types.contains(&"windows_path"), "{types:?}");

    let notes = df!("Note" => [
        "TI: hxxps://outlook[.]office365[.]com/wp-content/stage2[.]bin?token=2a7b86 resolves to 106[.]107[.]192[.]70",
        "contact administrator[at]files[.]badactor[.]ru or admin (at) evil [dot] com",
        "C2 fXp://185[.]220[.]101[.]4:2121/drop and 2001:db8::dead:beef, md5 D41D8CD98F00B204E9800998ECF8427E",
    ])?;
    let ti = IocExtractor::new().extract_df(&notes, &["Note"])?;
    let view = ti
        .df()
        .select(["IoCType", "Observable", "Refanged", "SourceIndex"])?;
    let refanged: Vec<&str> = view.column("Refanged")?.str()?.iter().flatten().collect();
    assert_eq!(
        refanged,
        [
            "https://outlook.office365.com/wp-content/stage2.bin?token=2a7b86",
            "outlook.office365.com",
            "106.107.192.70",
            "administrator@files.badactor.ru",
            "files.badactor.ru",
            "admin@evil.com",
            "evil.com",
            "ftp://185.220.101.4:2121/drop",
            "185.220.101.4",
            "2001:db8::dead:beef",
            "d41d8cd98f00b204e9800998ecf8427e",
        ]
    );

    let safe = defang("beacon to https://evil.com/gate.php from 10.1.2.3, mail ops@evil.co.uk");
    let back = refang(&safe);
    assert_eq!(
        back,
        "beacon to https://evil.com/gate.php from 10.1.2.3, mail ops@evil.co.uk"
    );
    let _ = df!("defanged" => [safe.as_str()], "refanged" => [back.as_str()])?;

    let values = [
        "8.8.8[.]8",
        "256.1.1.1",
        "2001:db8::1",
        "evil[.]com",
        "config.local",
        "setup.zip",
        "hxxp://evil[.]com/a",
        "a[at]b[.]com",
        "d41d8cd98f00b204e9800998ecf8427e",
        r"C:\Windows\x.exe",
    ];
    let x = IocExtractor::new();
    let types: Vec<String> = values
        .iter()
        .map(|v| x.ioc_type_of(v).map_or("unknown".into(), |t| t.to_string()))
        .collect();
    assert_eq!(
        types,
        [
            "ipv4",
            "unknown",
            "ipv6",
            "dns",
            "hostname",
            "unknown",
            "url",
            "email",
            "md5_hash",
            "windows_path"
        ]
    );
    let ipv4: Vec<bool> = values
        .iter()
        .map(|v| x.validate(v, &IocType::Ipv4))
        .collect();
    let dns: Vec<bool> = values
        .iter()
        .map(|v| x.validate(v, &IocType::Dns))
        .collect();
    let _ =
        df!("value" => values, "ioc_type_of" => types, "valid ipv4" => ipv4, "valid dns" => dns)?;

    let names = [
        "login.microsoftonline.com",
        "Sub.Domain.Example.CO.UK",
        "6608697.blogspot.com",
        "build.internal",
        "пример.рф",
    ];
    let parts: Vec<DnsComponents> = names.iter().map(|n| dns_components(n)).collect();
    let table = df!(
        "name" => names,
        "valid_tld" => names.iter().map(|n| validate_tld(n)).collect::<Vec<_>>(),
        "subdomain" => parts.iter().map(|p| p.subdomain.clone()).collect::<Vec<_>>(),
        "domain" => parts.iter().map(|p| p.domain.clone()).collect::<Vec<_>>(),
        "suffix" => parts.iter().map(|p| p.suffix.clone()).collect::<Vec<_>>(),
    )?;
    let valid: Vec<bool> = table
        .column("valid_tld")?
        .bool()?
        .iter()
        .flatten()
        .collect();
    assert_eq!(valid, [true, true, true, false, true]);

    let u = url_components("hxxps://admin@evil[.]com:8443/a/b.php?id=1#top")?;
    assert_eq!(u.host.as_deref(), Some("evil.com"));
    let _ = format!("{u:#?}");
    Ok(())
}
