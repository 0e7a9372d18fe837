//! msticpyconfig.yaml variants from MSTICPy's test data.

use huntbook::config::{ArgValue, Secret, Settings};
use huntbook::display::NotebookDisplay;

fn testdata(f: &str) -> std::path::PathBuf {
    huntbook::data::data_dir().join("msticpy/testdata").join(f)
}

#[test]
fn msticpyconfig_loads_with_workspaces_and_providers() {
    let s = Settings::from_file(testdata("msticpyconfig.yaml")).unwrap();
    let ws = s.workspaces();
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0].name, "Default");
    assert_eq!(ws[0].workspace_id, "52b1ab41-869e-4138-9e40-2a4457f09bf3");
    assert_eq!(ws[0].tenant_id, "72f988bf-86f1-41af-91ab-2d7cd011db49");
    assert_eq!(
        s.workspace(Some("mytestws")).unwrap().workspace_id,
        "a927809c-8142-43e1-96b3-4ad87cfe95a3"
    );
    let err = s.workspace(Some("Nope")).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid workspace 'Nope': not in AzureSentinel.Workspaces (have: Default, MyTestWS)"
    );

    let ti: Vec<String> = s.ti_providers().into_iter().map(|p| p.name).collect();
    assert_eq!(
        ti,
        [
            "OTX",
            "VirusTotal",
            "XForce",
            "GreyNoise",
            "AzureSentinel",
            "OpenPageRank",
            "TorExitNodes",
            "RiskIQ",
            "IntSights",
            "CrowdSec",
            "AbuseIPDB",
            "IPQualityScore",
            "BinaryEdge"
        ]
    );
    let otx = s.provider("TIProviders", "OTX").unwrap();
    assert!(otx.primary);
    assert_eq!(
        otx.secret("AuthKey").unwrap().expose().unwrap(),
        "987654321"
    );
    let vt = s.provider("TIProviders", "VirusTotal").unwrap();
    assert_eq!(
        vt.secret("AuthKey").unwrap(),
        &Secret::EnvVar("VTAUTHKEY".into())
    );
    let xf = s.provider("TIProviders", "XForce").unwrap();
    assert!(!xf.primary);
    assert_eq!(
        xf.args.get("ApiID"),
        Some(&ArgValue::Secret(Secret::EnvVar("XFORCE_ID".into())))
    );

    let data: Vec<String> = s.data_providers().into_iter().map(|p| p.name).collect();
    // huntbook's default LocalData entry is merged first, then the file's
    assert_eq!(
        data,
        [
            "LocalData",
            "Kusto-MSTIC1",
            "Kusto-MSTIC2",
            "AzureCLI",
            "MicrosoftDefender",
            "MicrosoftGraph",
            "Cybereason"
        ]
    );
    let k = s.provider("DataProviders", "Kusto-MSTIC1").unwrap();
    assert_eq!(
        k.arg("Cluster").as_deref(),
        Some("https://mstic.kusto.windows.net")
    );
    assert_eq!(k.arg("IntegratedAuth").as_deref(), Some("true"));
    assert_eq!(s.other_providers().len(), 2);
    assert_eq!(s.context_providers()[0].name, "ServiceNow");
    assert!(s.key_vault_entries().is_empty());
    assert_eq!(
        s.get("Azure.cloud").and_then(|v| v.as_str()),
        Some("global")
    );
}

#[test]
fn secrets_never_show() {
    let s = Settings::from_file(testdata("msticpyconfig.yaml")).unwrap();
    let shown = format!("{s}\n{s:?}\n{}\n{:?}", s.to_html(), s.ti_providers());
    for secret in [
        "987654321",
        "987654321-222",
        "aaaa-bbbb-cccc-dddd-eeee",
        "69d28fd7-42a5-48bc-a619-af56397b3333",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked");
    }
    assert!(shown.contains("EnvironmentVar(VTAUTHKEY)"));
    // non-secret ids stay visible
    assert!(shown.contains("52b1ab41-869e-4138-9e40-2a4457f09bf3"));
}

#[test]
fn key_vault_config_loads_but_key_vault_secrets_are_refused() {
    let s = Settings::from_file(testdata("msticpyconfig-kv.yaml")).unwrap();
    assert_eq!(
        s.key_vault_entries(),
        [
            "TIProviders.OTX.Args.AuthKey",
            "TIProviders.VirusTotal.Args.AuthKey",
            "TIProviders.XForce.Args.ApiID",
            "TIProviders.XForce.Args.AuthKey"
        ]
    );
    let err = s
        .provider("TIProviders", "OTX")
        .unwrap()
        .secret("AuthKey")
        .unwrap()
        .expose()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid Key Vault secret 'myvault/OTX_AuthKey': Key Vault secrets are not supported by huntbook; put the secret in an environment variable and write `EnvironmentVar: NAME` in the settings"
    );
    assert_eq!(
        s.get("KeyVault.VaultName").and_then(|v| v.as_str()),
        Some("myvault")
    );
}

#[test]
fn config_without_workspaces_loads() {
    let s = Settings::from_file(testdata("msticpyconfig-no-settings.yaml")).unwrap();
    assert!(s.workspaces().is_empty());
    assert_eq!(
        s.key_vault_entries(),
        [
            "TIProviders.VirusTotal.Args.ApiID",
            "TIProviders.VirusTotal.Args.AuthKey"
        ]
    );
    assert_eq!(s.ti_providers().len(), 6);
}

#[test]
fn bad_files_and_search_order() {
    let err = Settings::from_file("/nonexistent/msticpyconfig.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("reading '/nonexistent/msticpyconfig.yaml'"),
        "{err}"
    );
    let err = Settings::from_yaml_str("a: [", "broken.yaml")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("invalid settings file 'broken.yaml': not valid YAML"),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("hb-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let over = dir.join("huntbook.yaml");
    std::fs::write(&over, "TIProviders:\n  OTX:\n    Primary: False\n").unwrap();
    let mut s = Settings::from_file(testdata("msticpyconfig.yaml")).unwrap();
    s.merge_file(&over).unwrap();
    let otx = s.provider("TIProviders", "OTX").unwrap();
    assert!(!otx.primary, "huntbook.yaml overrides");
    assert_eq!(
        otx.secret("AuthKey").unwrap().expose().unwrap(),
        "987654321",
        "deep merge keeps the rest"
    );
    assert_eq!(s.sources().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
