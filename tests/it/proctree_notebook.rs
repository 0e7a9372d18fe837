//! The code of notebooks/process-tree.ipynb, cell by cell, so the notebook
//! is known to compile and run on the bundled data.

use huntbook::prelude::*;

#[test]
fn process_tree_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    // Windows 4688 tree.
    let hb = Huntbook::new()?;
    let procs = read_file(hb.data_path("msticpy/testdata/processes_on_host.csv")?)?;
    let procs = if procs.column("").is_ok() {
        procs.drop("")?
    } else {
        procs
    };
    let tree = ProcessTree::build(&procs)?;
    let summary = tree.summary();
    assert_eq!(summary.processes, 369);
    let _ = summary.to_html();
    let view = ProcessTreeView::new(&tree).color_by("SubjectUserName");
    assert!(view.html().contains("hb-pt"));

    // A suspicious process and its ancestors.
    let hits = tree.keys_where(col("CommandLine").str().contains_literal(lit("vssadmin")))?;
    assert!(!hits.is_empty());
    let ancestors = tree.ancestors(&hits[0], true)?;
    assert!(ancestors.height() >= 2);
    let _ = ancestors
        .clone()
        .lazy()
        .select([
            col("TimeGenerated"),
            col("NewProcessName"),
            col("CommandLine"),
            col("SubjectUserName"),
        ])
        .collect()?;
    let root_tree = tree.root_tree(&hits[0])?;
    assert!(root_tree.height() >= ancestors.height());
    let parent = tree.parent_key(&hits[0])?.map(str::to_string);
    let siblings = tree.siblings(&hits[0], false)?;
    let _ = (parent, siblings);
    let root_key = tree
        .root(&hits[0])?
        .column("proc_key")?
        .str()?
        .get(0)
        .unwrap_or_default()
        .to_string();
    assert!(root_key.contains('|'));
    let text = tree.to_text_with(&TextTemplate::default().max_rows(12));
    assert!(text.starts_with("+ "));

    // Linux auditd tree.
    let lx = read_file(hb.data_path("msticpy/testdata-converted/linux_proc_test.csv")?)?;
    let lx_tree = ProcessTree::build(&lx)?;
    assert_eq!(lx_tree.summary().processes, 1029);
    let _ = ProcessTreeView::new(&lx_tree).color_by("uid").html();

    // Sysmon EventID 1 from a Security-Datasets capture.
    let events = huntbook::data::archive::read_json_lines_zip(hb.data_path(
        "security-datasets/datasets/atomic/windows/defense_evasion/host/wmic_remote_xsl_jscript.zip",
    )?)?;
    let sysmon = events
        .lazy()
        .filter(
            col("Channel")
                .eq(lit("Microsoft-Windows-Sysmon/Operational"))
                .and(col("EventID").cast(DataType::Int64).eq(lit(1i64))),
        )
        .collect()?;
    let sysmon_tree =
        ProcessTree::build_with_schema(&sysmon, ProcSchema::sysmon_1().host_name("Hostname"))?;
    assert_eq!(
        sysmon_tree.summary().processes - sysmon_tree.inferred_parents(),
        6
    );
    let _ = sysmon_tree.to_html();
    Ok(())
}
