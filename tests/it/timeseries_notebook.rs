//! The code of notebooks/time-series.ipynb, cell by cell, so the notebook's
//! code is compiled and run with the test suite.

use huntbook::prelude::*;

#[test]
fn time_series_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let series = read_file(hb.data_path("msticpy/testdata/time_series.csv")?)?;
    let _ = series.head(Some(5)).to_html();

    let values: Vec<f64> = series
        .column("TotalBytesSent")?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .flatten()
        .collect();
    let cycles = detect_periods(&values, 3)?;
    let cycles_df = df!(
        "period_hours" => cycles.iter().map(|c| c.period).collect::<Vec<_>>(),
        "share_of_variance" => cycles.iter().map(|c| c.share).collect::<Vec<_>>(),
    )?;
    let top: Vec<f64> = cycles_df
        .column("period_hours")?
        .f64()?
        .iter()
        .flatten()
        .collect();
    assert_eq!(top, [168.0, 84.0, 24.0]);

    let compat = ts_anomalies_stl(&series, "TotalBytesSent")?;
    assert_eq!(compat.anomalies()?.height(), 3);

    let result = StlAnomalyDetector::new()
        .value_column("TotalBytesSent")
        .auto_period()
        .robust(true)
        .detect(&series)?;
    assert_eq!(result.period(), 168);
    let flagged: Vec<String> = result
        .anomalies()?
        .column("TimeGenerated")?
        .as_materialized_series()
        .iter()
        .map(|v| v.to_string())
        .collect();
    for t in [
        "2019-05-13 17:00:00",
        "2019-05-17 21:00:00",
        "2019-05-26 05:00:00",
    ] {
        assert!(
            flagged.iter().any(|f| f.contains(t)),
            "{t} not in {flagged:?}"
        );
    }
    assert_eq!(flagged.len(), 8);
    let html = result.clone().to_html();
    assert!(html.contains("anomalies"));
    assert!(result.anomaly_count() >= 3, "{}", result.to_text());
    let chart = result.chart()?;
    assert_eq!(chart.trace_count(), 3);

    let periods = result.periods("1h", false)?;
    let kql = periods.kql_filter();
    assert!(
        kql.starts_with("| where TimeGenerated between (datetime("),
        "{kql}"
    );
    let rows = periods.filter(result.df())?;
    assert!(rows.height() >= 3 * result.anomaly_count().min(1));

    let lower = result.rethreshold(2.5, None)?.anomalies()?;
    assert!(lower.height() >= result.anomaly_count());

    let flows_az = read_file(hb.data_path("msticpy/testdata/az_net_flows.csv")?)?;
    let hourly = Resampler::new("1h")
        .time_column("FlowStartTime")
        .sum("TotalAllowedFlows")
        .resample(&flows_az)?
        .head(Some(8));
    assert_eq!(hourly.width(), 2);

    // 300 sources connecting at random times over 2 hours, and one host that
    // calls 203.0.113.66 every 60 s ± 5 s (missing a few calls).
    let flows = {
        let mut state = 42u64;
        let mut rand = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut ms, mut src, mut dst) = (Vec::new(), Vec::new(), Vec::new());
        for s in 0..300 {
            let dest = format!("198.51.100.{}", (rand() * 40.0) as u32);
            for _ in 0..(6 + (rand() * 30.0) as usize) {
                ms.push(1_704_067_200_000i64 + (rand() * 7_200_000.0) as i64);
                src.push(format!("10.1.{}.{}", s / 250, s % 250));
                dst.push(dest.clone());
            }
        }
        let mut at = 30.0;
        while at < 7_200.0 {
            if rand() > 0.05 {
                ms.push(1_704_067_200_000i64 + ((at + (rand() - 0.5) * 10.0) * 1000.0) as i64);
                src.push("10.9.9.9".to_string());
                dst.push("203.0.113.66".to_string());
            }
            at += 60.0;
        }
        df!("ms" => ms, "SrcIP" => src, "DestIP" => dst)?
            .lazy()
            .with_column(
                col("ms")
                    .cast(DataType::Datetime(
                        TimeUnit::Milliseconds,
                        Some(TimeZone::UTC),
                    ))
                    .alias("TimeGenerated"),
            )
            .select([col("TimeGenerated"), col("SrcIP"), col("DestIP")])
            .collect()?
    };
    flows.height();

    let found = BeaconDetector::new().detect(&flows)?;
    let beacons = found.beacons()?;
    assert_eq!(beacons.height(), 1, "{}", found.df().head(Some(3)));
    assert_eq!(beacons.column("SrcIP")?.str()?.get(0), Some("10.9.9.9"));

    let chart = BeaconDetector::new()
        .periodogram(&flows, &["10.9.9.9", "203.0.113.66"])?
        .chart()?;
    assert_eq!(chart.trace_count(), 2);
    Ok(())
}
