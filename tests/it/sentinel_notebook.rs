//! The code of `notebooks/sentinel.ipynb`, cell by cell, so the notebook's
//! code is compiled and run by `cargo test` (with no workspace or cluster
//! configured, as in CI: those cells print their skipped message).

use huntbook::prelude::*;

#[test]
fn sentinel_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let settings = Settings::from_yaml_str("", "no-config")?;

    let cred = AzureCredential::from_settings(&settings)?;
    assert_eq!(
        cred.to_string(),
        "AzureCredential(cloud global, tenant organizations, methods [env, cli, msi, devicecode])"
    );
    let workspaces = settings.workspaces();
    assert!(workspaces.is_empty());

    let body = std::fs::read(hb.data_path("msticpy/testdata/azmondata/az_mon_raw_query.json")?)?;
    let answer = parse_query_response(&body, None)?;
    let alerts = answer.primary()?.clone();
    let shown = alerts.select([
        "TimeGenerated",
        "AlertName",
        "AlertSeverity",
        "IsIncident",
        "ConfidenceScore",
        "StartTime",
    ])?;
    assert_eq!(shown.shape(), (3, 6));
    assert!(answer.to_html().contains("PrimaryResult"));

    let alerts = fresh(&alerts);
    let names: Vec<String> = alerts
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let dtypes: Vec<String> = alerts.dtypes().iter().map(|d| d.to_string()).collect();
    let types = df!("column" => names, "dtype" => dtypes)?.head(Some(20));
    assert_eq!(
        types.column("dtype")?.str()?.get(1),
        Some("datetime[ns, UTC]")
    );

    let kbody = std::fs::read(hb.data_path("msticpy/testdata/kusto/kusto_raw_resp.json")?)?;
    let kusto = parse_v2_response(&kbody, None)?;
    let procs = kusto.primary()?.clone();
    let p = procs.select([
        "CreatedProcessCreationTime",
        "CreatedProcessName",
        "CreatedProcessId",
        "CreatedProcessIsElevated",
        "CreatedProcessCommandLine",
    ])?;
    assert_eq!(p.shape(), (10, 5));

    let sbody = std::fs::read(hb.data_path("msticpy/testdata/azmondata/az_mon_schema.json")?)?;
    let schema = huntbook::data::drivers::loganalytics::parse_schema(&sbody)?;
    let tables: Vec<String> = schema.keys().cloned().collect();
    let counts: Vec<u32> = schema.values().map(|c| c.len() as u32).collect();
    let s = df!("table" => tables, "columns" => counts)?;
    assert_eq!(s.height(), 17);

    let clouds = [
        AzureCloud::global(),
        AzureCloud::us_gov(),
        AzureCloud::china(),
    ];
    let c = df!(
        "cloud" => clouds.iter().map(|c| c.name().to_string()).collect::<Vec<_>>(),
        "authority" => clouds.iter().map(|c| c.authority_host().to_string()).collect::<Vec<_>>(),
        "log_analytics" => clouds.iter().map(|c| c.log_analytics_endpoint().to_string()).collect::<Vec<_>>(),
        "arm" => clouds.iter().map(|c| c.arm_endpoint().to_string()).collect::<Vec<_>>(),
        "kusto_suffix" => clouds.iter().map(|c| c.kusto_suffix().to_string()).collect::<Vec<_>>(),
    )?;
    assert_eq!(c.height(), 3);

    let sentinel: Option<QueryProvider> = if settings.workspaces().is_empty() {
        None
    } else {
        Some(QueryProvider::from_settings("MSSentinel", &settings)?)
    };
    assert!(sentinel.is_none());
    let empty = match &sentinel {
        Some(_) => unreachable!(),
        None => DataFrame::empty(),
    };
    assert_eq!(empty.height(), 0);

    let clusters: Vec<String> = settings
        .providers("KustoClusters")
        .into_iter()
        .filter(|p| p.arg("Cluster").is_some())
        .map(|p| p.name)
        .collect();
    assert!(clusters.is_empty());
    Ok(())
}
