//! What a pivot function can be called on: a value, a list, entities, or a
//! frame and one of its columns.

use crate::data::fresh;
use crate::entities::{Entities, Entity, EntityType};
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;

/// The input of a pivot call. Built with `From`: `"1.2.3.4"`,
/// `vec!["a", "b"]`, `&entity`, `vec![entity]`, `(&df, "SourceIP")`.
#[derive(Debug, Clone)]
pub enum PivotInput {
    /// Values (one or more).
    Values(Vec<String>),
    /// Entities: the function's input attribute is read from each.
    Entities(Vec<Entity>),
    /// A frame and the column holding the values.
    Frame {
        /// The frame.
        df: DataFrame,
        /// The column.
        column: String,
    },
}

impl PivotInput {
    /// A frame column as input.
    pub fn frame(df: &DataFrame, column: &str) -> Self {
        Self::Frame {
            df: df.clone(),
            column: column.to_string(),
        }
    }

    /// The input as a frame plus the name of its value column. Values and
    /// entities become a one-column frame named `attr` (the function's input
    /// attribute); entities must be of type `entity`.
    pub(crate) fn to_frame(
        &self,
        entity: EntityType,
        attr: &str,
        what: &str,
    ) -> Result<(DataFrame, String)> {
        match self {
            Self::Values(v) => {
                let df = DataFrame::new_infer_height(vec![Column::new(attr.into(), v.clone())])
                    .ctx("building the pivot input")?;
                Ok((df, attr.to_string()))
            }
            Self::Entities(ents) => {
                let mut vals = Vec::with_capacity(ents.len());
                for (i, e) in ents.iter().enumerate() {
                    if e.entity_type() != entity {
                        return Err(Error::invalid(
                            format!("input of {what}"),
                            format!(
                                "wrong entity type: it takes {} entities, entity {i} is a {} ({})",
                                entity.name(),
                                e.entity_type().name(),
                                e.description()
                            ),
                        ));
                    }
                    let v = e.attr(attr).ok_or_else(|| {
                        Error::invalid(
                            format!("input of {what}"),
                            format!("entity {i} ({}) has no '{attr}'", e.description()),
                        )
                    })?;
                    vals.push(v);
                }
                let df = DataFrame::new_infer_height(vec![Column::new(attr.into(), vals)])
                    .ctx("building the pivot input")?;
                Ok((df, attr.to_string()))
            }
            Self::Frame { df, column } => {
                let df = fresh(df);
                if df.column(column).is_err() {
                    return Err(Error::column_not_found(
                        column,
                        &format!("the input frame of {what}"),
                        df.get_column_names().iter().map(|s| s.as_str()),
                    ));
                }
                Ok((df, column.clone()))
            }
        }
    }
}

/// The distinct non-null values of a column as text, in first-seen order.
pub(crate) fn distinct_values(df: &DataFrame, column: &str) -> Result<Vec<String>> {
    let col = df.column(column).map_err(|_| {
        Error::column_not_found(
            column,
            "the pivot input",
            df.get_column_names().iter().map(|s| s.as_str()),
        )
    })?;
    let s = col
        .cast(&DataType::String)
        .ctx(format!("reading column '{column}'"))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for v in s
        .str()
        .ctx(format!("reading column '{column}'"))?
        .iter()
        .flatten()
    {
        let v = v.trim();
        if !v.is_empty() && seen.insert(v.to_string()) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

impl From<&str> for PivotInput {
    fn from(v: &str) -> Self {
        Self::Values(vec![v.to_string()])
    }
}
impl From<String> for PivotInput {
    fn from(v: String) -> Self {
        Self::Values(vec![v])
    }
}
impl From<&String> for PivotInput {
    fn from(v: &String) -> Self {
        Self::Values(vec![v.clone()])
    }
}
impl From<Vec<&str>> for PivotInput {
    fn from(v: Vec<&str>) -> Self {
        Self::Values(v.into_iter().map(str::to_string).collect())
    }
}
impl From<Vec<String>> for PivotInput {
    fn from(v: Vec<String>) -> Self {
        Self::Values(v)
    }
}
impl From<&[&str]> for PivotInput {
    fn from(v: &[&str]) -> Self {
        Self::Values(v.iter().map(|s| s.to_string()).collect())
    }
}
impl<const N: usize> From<[&str; N]> for PivotInput {
    fn from(v: [&str; N]) -> Self {
        Self::Values(v.iter().map(|s| s.to_string()).collect())
    }
}
impl From<&Entity> for PivotInput {
    fn from(e: &Entity) -> Self {
        Self::Entities(vec![e.clone()])
    }
}
impl From<Entity> for PivotInput {
    fn from(e: Entity) -> Self {
        Self::Entities(vec![e])
    }
}
impl From<Vec<Entity>> for PivotInput {
    fn from(e: Vec<Entity>) -> Self {
        Self::Entities(e)
    }
}
impl From<&[Entity]> for PivotInput {
    fn from(e: &[Entity]) -> Self {
        Self::Entities(e.to_vec())
    }
}
impl From<Vec<&Entity>> for PivotInput {
    fn from(e: Vec<&Entity>) -> Self {
        Self::Entities(e.into_iter().cloned().collect())
    }
}
impl From<&Entities> for PivotInput {
    fn from(e: &Entities) -> Self {
        Self::Entities(e.0.clone())
    }
}
impl From<(&DataFrame, &str)> for PivotInput {
    fn from((df, column): (&DataFrame, &str)) -> Self {
        Self::frame(df, column)
    }
}

macro_rules! typed_entity_input {
    ($($t:ident),*) => {$(
        impl From<&crate::entities::$t> for PivotInput {
            fn from(e: &crate::entities::$t) -> Self { Self::Entities(vec![Entity::$t(e.clone())]) }
        }
        impl From<crate::entities::$t> for PivotInput {
            fn from(e: crate::entities::$t) -> Self { Self::Entities(vec![Entity::$t(e)]) }
        }
    )*};
}
typed_entity_input!(
    Host,
    Account,
    IpAddress,
    Url,
    Dns,
    Process,
    File,
    FileHash,
    HostLogonSession,
    AzureResource
);
