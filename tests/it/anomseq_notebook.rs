//! The code of `notebooks/anomalous-sequences.ipynb`, cell by cell, with
//! the findings the notebook's text states asserted.

use huntbook::prelude::*;

#[test]
fn notebook_cells_run_and_find_the_attack() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let events = read_file(hb.data_path("msticpy/notebooks-data/demo_exchange_data.csv")?)?;
    assert_eq!(events.height(), 1334);
    let _ = events.head(Some(5)).to_html();

    let sessions = Sessionizer::new(["UserId", "ClientIP"], "TimeGenerated")
        .max_session_minutes(20.0)
        .max_gap_minutes(2.0)
        .event_column("Operation")
        .event_column("Parameters")
        .sessionize(&events)?;
    let _ = sessions.head(Some(8)).to_html();
    let total: i64 = sessions.column("number_events")?.i64()?.sum().unwrap_or(0);
    assert_eq!(total, 1334, "every event is in one session");

    let cmds = SessionScorer::new("Operation_list")
        .window_length(3)
        .score(&sessions)?;
    let t = cmds.rarest(5)?.select([
        "TimeGenerated_min",
        "number_events",
        "rarest_window3_likelihood",
        "rarest_window3",
    ])?;
    assert_eq!(t.height(), 5);

    let params = SessionScorer::new("Operation_list")
        .params_column("Parameters_list")
        .kind(SessionKind::CmdsParams)
        .window_length(3)
        .score(&sessions)?;
    let _ = params.rarest(5)?.select([
        "TimeGenerated_min",
        "number_events",
        "rarest_window3_likelihood",
        "rarest_window3",
    ])?;

    let values = SessionScorer::new("Operation_list")
        .params_column("Parameters_list")
        .kind(SessionKind::CmdsParamsValues)
        .window_length(2)
        .score(&sessions)?;
    let html = values.clone().to_html();
    assert!(
        html.contains("cmds_params_values model, windows of 2"),
        "{html}"
    );
    let _ = values.rarest(10)?.select([
        "TimeGenerated_min",
        "number_events",
        "rarest_window2_likelihood",
        "rarest_window2",
    ])?;

    let w = values.windows();
    let mut order: Vec<usize> = (0..w.len())
        .filter(|&i| w[i].likelihood.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        w[a].likelihood
            .unwrap_or(1.0)
            .total_cmp(&w[b].likelihood.unwrap_or(1.0))
    });
    let mut rank = Vec::new();
    let mut hits = Vec::new();
    for (r, &i) in order.iter().take(10).enumerate() {
        for cmd in values.rarest_window(i) {
            if cmd.name == "New-InboundConnector" || cmd.name == "Add-MailboxPermission" {
                rank.push(r as u32 + 1);
                hits.push(cmd.to_string().chars().take(160).collect::<String>());
            }
        }
    }
    let found =
        df!("rank" => rank.clone(), "suspicious command in a rarest window" => hits.clone())?;
    assert_eq!(found.height(), 2, "{found}");
    assert!(
        hits[0].starts_with("New-InboundConnector(Name=Githubrelay"),
        "{hits:?}"
    );
    assert!(hits[0].contains("SenderIPAddresses=13.90.41.248"));
    assert!(hits[1].contains("User=NAMPR06A007\\Mega54612"), "{hits:?}");
    assert!(hits[1].contains("AccessRights=FullAccess"));
    assert_eq!(rank, [2, 7]);

    let chart = values.chart()?;
    assert!(chart.to_html().contains("plotly"));

    let model = cmds.model();
    let next = model
        .trans_probs()
        .get("Set-Mailbox")
        .cloned()
        .unwrap_or_default();
    let mut rows: Vec<(String, f64)> = next.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    rows.truncate(5);
    let _ = df!(
        "after Set-Mailbox" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "probability" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
    )?;

    let new = Sessions::from_cmds([
        vec!["Set-Mailbox", "Set-Mailbox"],
        vec!["Set-Mailbox", "New-InboxRule", "Set-TransportRule"],
    ]);
    let lik = model.session_likelihoods(&new, true)?;
    assert!(
        lik[1].unwrap() < lik[0].unwrap(),
        "unseen commands are rarer"
    );
    let _ = df!(
        "session" => ["Set-Mailbox x2", "Set-Mailbox, New-InboxRule, Set-TransportRule (unseen)"],
        "likelihood" => lik,
    )?;
    Ok(())
}
