//! The code of notebooks/data-queries.ipynb, cell by cell.

use huntbook::prelude::*;

#[test]
fn data_queries_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let qp = QueryProvider::local_data()?;
    let list = qp.list_queries()?;
    assert!(list.len() >= 9);
    assert!(!list.to_html().is_empty());
    assert!(
        qp.help("WindowsSecurity.list_host_processes")?
            .to_html()
            .contains("host_name")
    );
    let text = qp
        .query("WindowsSecurity.list_host_processes")?
        .param("host", "MSTICAlertsWin1")
        .start("2019-02-10")
        .render()?;
    assert!(
        text.contains("TimeGenerated >= '2019-02-10 00:00:00'"),
        "{text}"
    );
    let procs = qp
        .query("WindowsSecurity.list_host_processes")?
        .param("host_name", "MSTICAlertsWin1")
        .start("2019-02-10")
        .run()?;
    let shown = procs
        .select(["TimeGenerated", "Account", "NewProcessName", "CommandLine"])?
        .head(Some(10));
    assert_eq!(shown.height(), 10);
    assert_eq!(
        qp.query("WindowsSecurity.list_host_logon_failures")?
            .param("host_name", "MSTICAlertsWin1")
            .run()?
            .height(),
        4
    );
    let flows = qp
        .query("Network.list_azure_network_flows_by_ip")?
        .param("ip_address_list", vec!["13.67.143.117"])
        .run()?
        .select([
            "FlowStartTime",
            "VMName",
            "SrcIP",
            "DestIP",
            "L7Protocol",
            "DestPort",
        ])?;
    assert!(flows.height() > 0);
    let top = qp.sql("SELECT NewProcessName, COUNT(*) AS n FROM processes_on_host GROUP BY NewProcessName ORDER BY n DESC LIMIT 10")?;
    assert!(top.height() > 0 && top.height() <= 10);
    let settings = Settings::from_file(bundled("msticpy/testdata/msticpyconfig.yaml")?)?;
    assert_eq!(
        settings.workspace(None)?.workspace_id,
        "52b1ab41-869e-4138-9e40-2a4457f09bf3"
    );
    assert_eq!(settings.ti_providers().len(), 13);
    assert!(!settings.to_html().contains("987654321"));
    let sd = SecurityDatasets::from_folder(bundled("security-datasets")?)?;
    assert!(!sd.search("T1003, T1021").is_empty());
    let events = sd.load("SDWIN-190518202151")?;
    let by_id = events
        .clone()
        .lazy()
        .group_by([col("EventID"), col("Channel")])
        .agg([len().alias("events")])
        .sort(
            ["events"],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .collect()?
        .head(Some(15));
    assert_eq!(by_id.height(), 15);
    let osq = QueryProvider::osquery(&[bundled("msticpy/testdata/osquery")?])?;
    assert_eq!(
        osq.query("osquery.processes")?
            .run()?
            .head(Some(5))
            .height(),
        5
    );
    Ok(())
}
