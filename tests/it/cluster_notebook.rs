//! The code of notebooks/clustering.ipynb, cell by cell, so the notebook is
//! known to compile and run on the bundled data (with the values it shows).

use huntbook::prelude::*;

#[test]
fn clustering_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let procs = read_file(hb.data_path("msticpy/testdata/processes_on_host.csv")?)?;
    let _ = procs.head(Some(5)).to_html();

    let s = "The quick & sly (as all foxes might be/or not) fox, jumped over a frog.";
    let table = df!(
        "feature" => ["token_count", "char_ord_score", "delim_count", "crc32_hash", "delim_hash"],
        "value" => [
            token_count(s, " ") as i64,
            char_ord_score(s, 1) as i64,
            delim_count(s) as i64,
            crc32_hash(s) as i64,
            delim_hash(s) as i64,
        ],
    )?;
    let values: Vec<i64> = table.column("value")?.i64()?.into_no_null_iter().collect();
    assert_eq!(values, [15, 6199, 20, 2011081507, 2337396062]);

    let feats = add_process_features(&procs)?;
    let shown = fresh(&feats)
        .select([
            "processName",
            "pathScore",
            "commandlineTokensFull",
            "commandlineTokensHash",
            "isSystemSession",
        ])?
        .head(Some(8));
    assert_eq!(shown.width(), 5);

    let clusters = EventClusterer::new(["pathScore", "commandlineTokensFull", "isSystemSession"])
        .eps(1e-4)
        .cluster(&feats)?;
    assert_eq!(clusters.df().height(), 62);
    assert!(clusters.clone().to_html().contains("62"));

    let chart = clusters
        .chart("pathScore", "commandlineTokensFull")
        .label_column("processName")
        .build()?;
    assert_eq!(chart.trace_count(), 2);

    let rare = fresh(clusters.df())
        .lazy()
        .filter(col("ClusterSize").lt_eq(lit(2)))
        .select([
            col("TimeGenerated"),
            col("ClusterId"),
            col("ClusterSize"),
            col("processName"),
            col("CommandLine"),
        ])
        .collect()?;
    assert!(rare.height() > 0);

    let largest = clusters
        .labels()
        .iter()
        .copied()
        .filter(|&l| l >= 0)
        .max_by_key(|&l| clusters.labels().iter().filter(|&&x| x == l).count())
        .unwrap_or(0);
    let members = fresh(&clusters.members(largest)?)
        .select(["TimeGenerated", "processName", "CommandLine"])?
        .head(Some(10));
    assert_eq!(members.height(), 10);
    assert_eq!(clusters.members(largest)?.height(), 71);

    let by_hash = EventClusterer::new(["pathHash", "commandlineTokensHash", "isSystemSession"])
        .eps(1e-3)
        .cluster(&feats)?;
    println!("{}", by_hash.description());
    assert_eq!((by_hash.df().height(), by_hash.noise_count()), (121, 89));

    let flows = read_file(hb.data_path("msticpy/testdata/az_net_flows.csv")?)?;
    let model = IsolationForest::new().fit(
        &flows,
        [
            "DestPort",
            "AllowedOutFlows",
            "AllowedInFlows",
            "TotalAllowedFlows",
        ],
    )?;
    let scored = model.score(&flows)?;
    let n = scored.outlier_count();
    assert!(n > 0 && n <= 46, "{n}");
    let _ = scored.clone().to_html();
    let chart = scored.chart().label_column("AllExtIPs").build()?;
    assert_eq!(chart.trace_count(), 2);
    Ok(())
}
