//! Calling a pivot: naming the entity type, preparing the call (join,
//! extra query parameters) and running it.

use super::join::{JoinSpec, join_frames};
use super::{OutKey, Pivot, PivotFn, PivotInput, builtins};
use crate::data::query::ParamValue;
use crate::entities::EntityType;
use crate::error::{Error, Result};
use polars::prelude::*;

/// Names an entity type: an [`EntityType`] or its name (`"IpAddress"`, `"ip"`).
pub trait EntityRef {
    /// The entity type named.
    fn entity_type(&self) -> Result<EntityType>;
}
impl EntityRef for EntityType {
    fn entity_type(&self) -> Result<EntityType> {
        Ok(*self)
    }
}
impl EntityRef for &str {
    fn entity_type(&self) -> Result<EntityType> {
        EntityType::from_name(self)
    }
}
impl EntityRef for String {
    fn entity_type(&self) -> Result<EntityType> {
        EntityType::from_name(self)
    }
}
impl EntityRef for &String {
    fn entity_type(&self) -> Result<EntityType> {
        EntityType::from_name(self)
    }
}

/// A prepared pivot call ([`Pivot::call`]).
#[derive(Debug, Clone)]
pub struct PivotCall<'a> {
    pub(super) piv: &'a Pivot,
    pub(super) f: &'a PivotFn,
    pub(super) join: Option<JoinSpec>,
    pub(super) params: Vec<(String, ParamValue)>,
}

impl PivotCall<'_> {
    /// Joins the result to the input.
    pub fn join(mut self, spec: JoinSpec) -> Self {
        self.join = Some(spec);
        self
    }

    /// Another query parameter (query pivots only; ignored by others).
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.params.push((name.to_string(), value.into()));
        self
    }

    /// Runs the function on the input.
    pub fn run(self, input: impl Into<PivotInput>) -> Result<DataFrame> {
        let input = input.into();
        let what = format!("pivot {}.{}", self.f.entity, self.f.full_name());
        let (df, column) = input.to_frame(self.f.entity, &self.f.input_attr, &what)?;
        let result = builtins::execute(self.piv, self.f, &df, &column, &self.params)
            .map_err(|e| Error::invalid(what.clone(), e.to_string()))?;
        let Some(spec) = self.join else {
            return Ok(result);
        };
        let left_on = spec.left_on.clone().unwrap_or_else(|| column.clone());
        match (&self.f.out_key, spec.right_on.as_deref()) {
            (_, Some(r)) => join_frames(&df, &result, &left_on, r, spec.how, spec.ignore_case),
            (OutKey::Column(c), None) => {
                join_frames(&df, &result, &left_on, c, spec.how, spec.ignore_case)
            }
            (OutKey::RowIndex(c), None) => {
                let n = IdxSize::try_from(df.height()).unwrap_or(IdxSize::MAX);
                let mut with_idx = df.clone();
                with_idx
                    .with_column(Column::new(
                        "src_row_index".into(),
                        (0..n).collect::<Vec<IdxSize>>(),
                    ))
                    .map_err(|e| Error::polars("joining the pivot result", e))?;
                let joined = join_frames(
                    &with_idx,
                    &result,
                    "src_row_index",
                    c,
                    spec.how,
                    spec.ignore_case,
                )?;
                Ok(joined.drop("src_row_index").unwrap_or(joined))
            }
            (OutKey::None, None) => Err(Error::invalid(
                what,
                format!(
                    "the result has no column holding the input value; join with right_on (result columns: {})",
                    result
                        .get_column_names()
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// Runs the function and joins the result to the input.
    pub fn run_joined(self, input: impl Into<PivotInput>, spec: JoinSpec) -> Result<DataFrame> {
        self.join(spec).run(input)
    }
}
