//! The code of `notebooks/pivots.ipynb`, cell by cell, so the notebook's
//! code is compiled and run by `cargo test` on the bundled data.

use huntbook::prelude::*;

#[test]
fn pivots_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    // Cell: the registry, with LocalData's queries as a container.
    let hb = Huntbook::new()?;
    let mut piv = Pivot::new(&hb)?;
    let qp = QueryProvider::local_data()?;
    piv.add_provider(&qp)?;
    let counts = piv.list(None).counts()?;
    assert_eq!(counts.height(), 8);

    // Cell: an alert's entities (MSTICPy's entities.json, $ref links resolved).
    let ents = Entity::list_from_str(&std::fs::read_to_string(
        hb.data_path("msticpy/testdata/entities.json")?,
    )?)?;
    let alert = Alert {
        display_name: Some("Mimikatz credential theft".into()),
        severity: Some("High".into()),
        compromised_entity: Some("MSTICALERTSWIN1".into()),
        entities: ents.clone(),
        ..Alert::default()
    };
    let shown = Entity::Alert(alert.clone()).to_html();
    assert!(shown.contains("<svg"));

    // Cell: what can we do with the host?
    let host = ents[0].clone();
    let host_pivots = piv.list(Some(EntityType::Host));
    assert_eq!(host_pivots.len(), 10);

    // Cell: its processes, from LocalData.
    let procs = piv.run("Host", "LocalData.list_host_processes", &host)?;
    assert_eq!(procs.height(), 25);
    let _ = procs.head(Some(5));

    // Cell: the process tree.
    let tree = ProcessTree::build(&procs)?;
    let _ = ProcessTreeView::new(&tree).to_html();

    // Cell: IoCs in the command lines, joined back to the events.
    let iocs = piv
        .call("Process", "util.extract_iocs")?
        .join(JoinSpec::inner())
        .run((&procs, "CommandLine"))?;
    let iocs_view = iocs.select(["NewProcessName", "IoCType", "Observable"])?;
    assert!(iocs_view.height() > 0);

    // Cell: base64 in the command lines.
    let decoded = piv.process().b64decode((&procs, "CommandLine"))?;
    let _ = decoded.to_html();

    // Cell: the IPs of every alert in the alert table, TI and GeoIP.
    let alert_df = qp.query("SecurityAlert.list_alerts")?.run()?;
    let alerts = alerts_from_df(&alert_df)?;
    let all = Entities::new(alerts.iter().flat_map(|a| a.entities.clone()).collect()).dedup()?;
    let ips: Vec<Entity> = all
        .of_type(EntityType::IpAddress)
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(ips.len(), 3);
    let ti = piv.ip_address().ti_lookup(ips.clone())?;
    assert_eq!(ti.height(), 3);
    let _ = ti.select(["Ioc", "Provider", "Result", "Severity", "StatusText"])?;
    let geo = piv
        .ip_address()
        .geoip(vec!["81.2.69.142", "89.160.20.128", "23.97.60.214"])?;
    assert_eq!(geo.column("City")?.str()?.get(0), Some("London"));

    // Cell: sign-ins from the addresses seen in Azure AD data (a list query).
    let signins = piv.run(
        "IpAddress",
        "LocalData.list_signins_for_ip",
        vec!["109.88.218.99", "73.35.204.105"],
    )?;
    assert_eq!(signins.height(), 72);
    let _ = signins
        .select([
            "TimeGenerated",
            "UserPrincipalName",
            "IPAddress",
            "AppDisplayName",
        ])?
        .head(Some(10));

    // Cell: a pipeline from YAML.
    let yaml = std::fs::read_to_string(hb.data_path("pivot/pipelines.yaml")?)?;
    let pipes = PivotPipeline::from_yaml_str(&yaml)?;
    let flows = df!("SourceIP" => ["51.255.107.37", "10.0.0.1", "81.2.69.142", "51.255.107.37"])?;
    let result = pipes[0].run(&piv, &flows)?;
    assert_eq!(result.df().height(), 1);
    let _ = result.to_html();

    // Cell: user functions from a pivot YAML file.
    let added = piv.register_yaml_file(hb.data_path("pivot/user_pivots.yaml")?)?;
    assert_eq!(added.len(), 4);
    let mine = piv.run("Host", "custom.host_processes", &host)?;
    assert_eq!(mine.height(), 25);

    // Cell: help, and a typo.
    let _ = piv.help("IpAddress", "ti.lookup_ip")?.to_html();
    let typo = piv
        .run("IpAddress", "geoip.lokup", "1.2.3.4")
        .unwrap_err()
        .to_string();
    assert!(typo.contains("did you mean: geoip.lookup"), "{typo}");
    Ok(())
}
