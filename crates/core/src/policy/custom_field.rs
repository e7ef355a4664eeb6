//! Custom fields declared in the policy (`[[custom_fields]]`): the check of the
//! declarations, and the check of a value against its declaration.

use super::file::CustomFieldFile;
use super::validate::Errors;
use crate::DomainError;
use serde::Serialize;
use toml::Spanned;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Int,
    Float,
    String,
    Bool,
    Enum,
}

impl CustomFieldType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "int" => Self::Int,
            "float" => Self::Float,
            "string" => Self::String,
            "bool" => Self::Bool,
            "enum" => Self::Enum,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomFieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldType,
    pub description: String,
    /// Allowed values of an `enum` field.
    pub values: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Customers may see it and set it when they open a ticket (otherwise it
    /// is internal: staff only).
    pub customer: bool,
}

impl CustomFieldDef {
    pub fn check(&self, v: &serde_json::Value) -> Result<(), DomainError> {
        let field = format!("custom_fields.{}", self.name);
        let err = |m: String| Err(DomainError::new(field.clone(), m));
        let number = match (&self.kind, v) {
            // Whole numbers as JSON Schema counts them: `3` and `3.0` alike.
            (CustomFieldType::Int, serde_json::Value::Number(n)) if n.as_f64().is_some_and(|x| x.fract() == 0.0) => {
                n.as_f64()
            }
            (CustomFieldType::Int, _) => return err("must be a whole number".into()),
            (CustomFieldType::Float, serde_json::Value::Number(n)) => n.as_f64(),
            (CustomFieldType::Float, _) => return err("must be a number".into()),
            (CustomFieldType::Bool, serde_json::Value::Bool(_)) => None,
            (CustomFieldType::Bool, _) => return err("must be true or false".into()),
            (CustomFieldType::String, serde_json::Value::String(s)) if s.chars().count() <= 1000 => None,
            (CustomFieldType::String, _) => return err("must be a string of at most 1000 characters".into()),
            (CustomFieldType::Enum, serde_json::Value::String(s)) if self.values.contains(s) => None,
            (CustomFieldType::Enum, _) => return err(format!("must be one of: {}", self.values.join(", "))),
        };
        if let Some(x) = number {
            if self.min.is_some_and(|m| x < m) || self.max.is_some_and(|m| x > m) {
                return err(match (self.min, self.max) {
                    (Some(lo), Some(hi)) => format!("must be between {lo} and {hi}"),
                    (Some(lo), None) => format!("must be at least {lo}"),
                    (None, Some(hi)) => format!("must be at most {hi}"),
                    (None, None) => unreachable!("a bound was crossed"),
                });
            }
        }
        Ok(())
    }
}

/// Checks the declarations: each named once, of a known type, with values if
/// and only if it is an enum. A field of unknown type is left out.
pub(super) fn custom_fields(errs: &mut Errors, raw: &[Spanned<CustomFieldFile>]) -> Vec<CustomFieldDef> {
    errs.unique_names("custom field", raw.iter().map(|c| &c.get_ref().name));
    let mut custom_fields = Vec::new();
    for f in raw {
        let f = f.get_ref();
        let Some(kind) = CustomFieldType::parse(f.kind.get_ref()) else {
            errs.at(
                f.kind.span(),
                format!("unknown custom field type `{}`", f.kind.get_ref()),
                "use int, float, string, bool or enum",
            );
            continue;
        };
        if kind == CustomFieldType::Enum && f.values.is_empty() {
            errs.at(
                f.name.span(),
                format!("enum field `{}` has no values", f.name.get_ref()),
                "add values = [\"a\", \"b\"]",
            );
        }
        if kind != CustomFieldType::Enum && !f.values.is_empty() {
            errs.at(
                f.name.span(),
                format!("field `{}` lists values but is not an enum", f.name.get_ref()),
                "set type = \"enum\" or remove values",
            );
        }
        custom_fields.push(CustomFieldDef {
            name: f.name.get_ref().clone(),
            kind,
            description: f.description.clone(),
            values: f.values.clone(),
            min: f.min,
            max: f.max,
            customer: f.customer,
        });
    }
    custom_fields
}
