//! OSQuery and Velociraptor drivers on MSTICPy's test logs.

use huntbook::data::drivers::Driver;
use huntbook::data::drivers::osquery::OsQueryDriver;
use huntbook::data::drivers::velociraptor::VelociraptorDriver;
use huntbook::prelude::*;

fn testdata(f: &str) -> std::path::PathBuf {
    huntbook::data::data_dir().join("msticpy/testdata").join(f)
}

#[test]
fn osquery_tables_columns_and_times() {
    let d = OsQueryDriver::new();
    assert_eq!(d.read_path(testdata("osquery")).unwrap(), 2);
    let tables = d.tables();
    assert_eq!(tables.len(), 19);
    assert_eq!(
        tables["mounts"],
        ["pack_incident-response_mounts", "pack_it-compliance_mounts"]
    );
    let procs = d.table("processes").unwrap();
    assert_eq!(procs.height(), 21);
    let names: Vec<&str> = procs
        .get_column_names()
        .iter()
        .map(|s| s.as_str())
        .collect();
    for c in [
        "name",
        "hostIdentifier",
        "unixTime",
        "host_uuid",
        "username",
        "cmdline",
        "pid",
        "name_",
        "username_",
        "action",
    ] {
        assert!(names.contains(&c), "{c} missing from {names:?}");
    }
    assert_eq!(
        procs.column("unixTime").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
    let t = procs
        .column("unixTime")
        .unwrap()
        .datetime()
        .unwrap()
        .phys
        .get(0);
    assert_eq!(t, Some(1_678_936_138_000_000_000));
    assert_eq!(
        procs.column("name_").unwrap().str().unwrap().get(0),
        Some("kthreadd")
    );
    assert_eq!(d.table("mounts").unwrap().height(), 42);
    let err = d.table("nope").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid osquery table 'nope': no data loaded for it; tables: "),
        "{err}"
    );
    let pkgs = d.table("python_packages").unwrap();
    assert_eq!(pkgs.height(), 40);
    // every table has a UTC datetime column, as MSTICPy's test checks
    for (t, cols) in d.schema().unwrap() {
        assert!(cols.iter().any(|(_, ty)| ty.contains("datetime")), "{t}");
    }
}

#[test]
fn osquery_through_a_provider_and_bad_input() {
    let qp = QueryProvider::osquery(&[testdata("osquery")]).unwrap();
    assert!(
        qp.list_queries()
            .unwrap()
            .names()
            .contains(&"osquery.processes".to_string())
    );
    assert_eq!(
        qp.query("osquery.processes")
            .unwrap()
            .run()
            .unwrap()
            .height(),
        21
    );
    let dir = std::env::temp_dir().join(format!("hb-osq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.log"), "{\"name\":\"x\"}\nnot json\n").unwrap();
    let err = OsQueryDriver::new()
        .read_path(dir.join("bad.log"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.log' line 2: expected one JSON object per line"),
        "{err}"
    );
    std::fs::write(dir.join("noname.log"), "{\"x\":1}\n").unwrap();
    let err = OsQueryDriver::new()
        .read_path(dir.join("noname.log"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 1: record has no string 'name'"), "{err}");
    let err = OsQueryDriver::new()
        .read_path(dir.join("missing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn velociraptor_one_table_per_artifact() {
    let d = VelociraptorDriver::new();
    assert_eq!(d.add_path(testdata("velociraptor")).unwrap(), 12);
    let tables: Vec<String> = d.tables().into_keys().collect();
    assert_eq!(tables.len(), 12);
    assert!(tables.contains(&"Windows_System_Pslist".to_string()));
    let ps = d.table("Windows_System_Pslist").unwrap();
    assert_eq!(ps.height(), 10);
    assert_eq!(ps.column("Pid").unwrap().i64().unwrap().get(1), Some(268));
    // nested values are JSON text
    assert!(
        ps.column("Hash")
            .unwrap()
            .str()
            .unwrap()
            .get(1)
            .unwrap()
            .starts_with("{\"MD5\":\"725ec50d4b0f607bf5b45b5e0115770b\"")
    );
    let net = d.table("Windows_Network_Netstat").unwrap();
    assert_eq!(
        net.column("Timestamp").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
    assert_eq!(
        net.column("Laddr.Port").unwrap().i64().unwrap().get(0),
        Some(135)
    );
    let qp = QueryProvider::velociraptor(&[testdata("velociraptor")]).unwrap();
    assert_eq!(
        qp.query("velociraptor.Windows_Sys_Users")
            .unwrap()
            .run()
            .unwrap()
            .height(),
        7
    );
    assert_eq!(d.environment(), "Velociraptor");
}
