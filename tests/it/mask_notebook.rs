//! The code of `notebooks/data-masking.ipynb`, cell by cell, so the
//! notebook's code is compiled and run by `cargo test`.

use huntbook::prelude::*;

#[test]
fn data_masking_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    // cell: load
    let hb = Huntbook::new()?;
    let logons = read_csv(hb.data_path("msticpy/testdata/host_logons.csv")?)?;
    let _ = logons.head(Some(5)).to_html();
    // cell: mask with the default map
    let masker = Masker::new().seed(42);
    let shown = MaskedFrame::new(&masker, &logons)?;
    assert!(
        shown.masked_columns().len() >= 10,
        "{:?}",
        shown.masked_columns()
    );
    let _ = shown.to_html();
    // cell: check one row
    let masked = masker.mask_df(&logons)?;
    let check = check_masking(&logons, &masked, 0)?;
    assert_eq!(check.height(), logons.width());
    // cell: each kind
    let examples = [
        (MaskKind::Acct, "alice@contoso.com"),
        (MaskKind::Acct, "CONTOSO\\alice"),
        (MaskKind::Acct, "NT AUTHORITY/SYSTEM"),
        (
            MaskKind::Sid,
            "S-1-5-21-3623811015-3361044348-30300820-1012",
        ),
        (MaskKind::Sid, "S-1-5-18"),
        (MaskKind::Ip, "13.37.48.94"),
        (MaskKind::Ip, "172.18.160.88"),
        (MaskKind::Ip, "192.168.1.20"),
        (MaskKind::Ip, "fe80::26c:48bb:f33f:eff9"),
        (MaskKind::Uuid, "52b1ab41-869e-4138-9e40-2a4457f09bf0"),
        (
            MaskKind::Delimited("@./:.".into()),
            "srv-db01.corp.contoso.com",
        ),
        (MaskKind::Dict, r#"{"browser":"Edge","os":"Windows 11"}"#),
    ];
    let kinds = df!(
        "kind" => examples.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(),
        "original" => examples.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>(),
        "masked" => examples.iter().map(|(k, v)| masker.mask_value(k, v)).collect::<Vec<_>>(),
    )?;
    let m = kinds.column("masked")?.str()?;
    assert_eq!(m.get(2), Some("NT AUTHORITY/SYSTEM"));
    assert!(m.get(6).unwrap().starts_with("172.18."));
    assert!(m.get(1).unwrap().contains('\\'));
    // cell: custom map
    let custom = Masker::new()
        .seed(42)
        .use_default_map(false)
        .column("Computer", MaskKind::Delimited(".".into()))
        .column("TargetUserName", MaskKind::Acct)
        .column("Status", MaskKind::Null);
    let c = custom
        .mask_df(&logons)?
        .select(["Computer", "TargetUserName", "Status", "EventID"])?
        .head(Some(5));
    assert_eq!(c.column("Status")?.null_count(), 5);
    // cell: MSTICPy-compatible
    let compat = Masker::new().msticpy_compatible(true);
    let out = df!(
        "input" => ["sensitive data", "12345", "CONTOSO/alice"],
        "masked" => [
            compat.mask_value(&MaskKind::Str, "sensitive data"),
            compat.mask_value(&MaskKind::Str, "12345"),
            compat.mask_value(&MaskKind::Acct, "CONTOSO/alice"),
        ],
    )?;
    let m = out.column("masked")?.str()?;
    assert_eq!(m.get(0), Some("jdiqcnrqmlidkd"));
    assert_eq!(m.get(1), Some("59944"));
    assert_eq!(m.get(2), Some("qadfddj/account-#17354"));
    Ok(())
}
