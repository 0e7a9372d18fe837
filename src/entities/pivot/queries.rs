//! Query pivots: a provider's queries become functions of the entities
//! their parameters describe.

use super::{Action, OutKey, PivotFn};
use crate::data::provider::QueryProvider;
use crate::data::query::params::ParamType;
use crate::entities::EntityType;
use crate::error::Result;

/// MSTICPy's query parameter → (entity, attribute) map
/// (`pivot_data_queries.PARAM_ENTITY_MAP`, with its aliases): a query with
/// one of these parameters becomes a pivot of each entity listed, fed from
/// that attribute.
pub const PARAM_ENTITY_MAP: &[(&str, &[(EntityType, &str)])] = &[
    ("account_name", &[(EntityType::Account, "Name")]),
    ("user", &[(EntityType::Account, "Name")]),
    ("host_name", &[(EntityType::Host, "fqdn")]),
    ("process_name", &[(EntityType::Process, "ProcessFilePath")]),
    ("ip_address", &[(EntityType::IpAddress, "Address")]),
    ("ip_address_list", &[(EntityType::IpAddress, "Address")]),
    ("source_ip_list", &[(EntityType::IpAddress, "Address")]),
    ("domain", &[(EntityType::Dns, "DomainName")]),
    ("domain_list", &[(EntityType::Dns, "DomainName")]),
    (
        "logon_session_id",
        &[
            (EntityType::Process, "LogonSession"),
            (EntityType::HostLogonSession, "SessionId"),
            (EntityType::Account, "LogonId"),
        ],
    ),
    ("process_id", &[(EntityType::Process, "ProcessId")]),
    ("commandline", &[(EntityType::Process, "CommandLine")]),
    ("cmd_line", &[(EntityType::Process, "CommandLine")]),
    ("url", &[(EntityType::Url, "Url")]),
    ("url_list", &[(EntityType::Url, "Url")]),
    ("file_hash", &[(EntityType::File, "file_hash")]),
    ("file_hash_list", &[(EntityType::File, "file_hash")]),
    ("resource_id", &[(EntityType::AzureResource, "ResourceId")]),
];

/// The entity attributes a query parameter maps to.
pub fn entities_for_param(param: &str) -> &'static [(EntityType, &'static str)] {
    PARAM_ENTITY_MAP
        .iter()
        .find(|(p, _)| *p == param)
        .map(|(_, e)| *e)
        .unwrap_or(&[])
}

/// The pivot functions of a provider's queries. A query becomes a pivot
/// named after it (`list_host_processes`); when two families have a query
/// of the same name for the same entity, both are named
/// `Family_query`. A query with two mapped parameters (say `host_name` and
/// `account_name`) becomes a pivot of each entity; the other parameter is
/// then given with [`super::PivotCall::param`].
pub(crate) fn query_pivots(qp: &QueryProvider, container: &str) -> Result<Vec<PivotFn>> {
    let env = qp.environment().to_string();
    let mut out: Vec<(String, PivotFn)> = Vec::new();
    for full in qp.list_queries()?.names() {
        let def = qp.store().get(&env, &full)?;
        for (pname, pdef) in &def.params {
            for (entity, attr) in entities_for_param(pname) {
                let required_other: Vec<&str> = def
                    .params
                    .values()
                    .filter(|p| {
                        p.is_required() && p.name != *pname && p.name != "start" && p.name != "end"
                    })
                    .map(|p| p.name.as_str())
                    .collect();
                let mut description = def.description.clone();
                if !required_other.is_empty() {
                    description.push_str(&format!(" (also needs: {})", required_other.join(", ")));
                }
                out.push((
                    def.families.first().cloned().unwrap_or_default(),
                    PivotFn {
                        entity: *entity,
                        container: container.to_string(),
                        name: def.name.clone(),
                        description,
                        input_attr: attr.to_string(),
                        out_key: OutKey::None,
                        source: format!("query: {env} {}", def.full_name()),
                        action: Action::Query {
                            provider: container.to_string(),
                            query: def.full_name(),
                            param: pname.clone(),
                            list_param: pdef.ptype == ParamType::List,
                            static_params: Vec::new(),
                        },
                    },
                ));
            }
        }
    }
    // Same query reached through two parameter aliases for one entity: keep one.
    let mut seen = std::collections::HashSet::new();
    out.retain(|(_, f)| seen.insert((f.entity, f.source.clone())));
    let names: Vec<(EntityType, String)> = out
        .iter()
        .map(|(_, f)| (f.entity, f.name.clone()))
        .collect();
    for (family, f) in &mut out {
        let dup = names
            .iter()
            .filter(|(e, n)| *e == f.entity && *n == f.name)
            .count()
            > 1;
        if dup && !family.is_empty() {
            f.name = format!("{family}_{}", f.name);
        }
    }
    Ok(out.into_iter().map(|(_, f)| f).collect())
}
