//! [`Configuration`]: one value per variable, by path.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One point of a search space: variable paths mapped to JSON values, in insertion order.
/// Serializes as a plain JSON object: `{"hops": 2, "generate.predict.temperature": 0.7}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Configuration {
    values: Map<String, Value>,
}

impl Configuration {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value` (replacing it in place if present).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// Sets `name` to `value`, builder-style.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.shift_remove(name)
    }

    /// Whether `name` has a value.
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.values.iter()
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as a JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.values
    }
}

impl std::ops::Index<&str> for Configuration {
    type Output = Value;
    /// The value of `name`, or `null` if unset.
    fn index(&self, name: &str) -> &Value {
        self.values.get(name).unwrap_or(&Value::Null)
    }
}

impl From<Map<String, Value>> for Configuration {
    fn from(values: Map<String, Value>) -> Self {
        Configuration { values }
    }
}

impl FromIterator<(String, Value)> for Configuration {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Configuration { values: iter.into_iter().collect() }
    }
}

/// `{hops = 2, style = "terse", ...}`; long strings and arrays are abbreviated.
impl std::fmt::Display for Configuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match value {
                Value::String(s) if s.chars().count() > 40 => {
                    let head: String = s.chars().take(37).collect();
                    write!(f, "{name} = {:?}", format!("{head}..."))?
                }
                Value::Array(items) if value.to_string().len() > 40 => write!(f, "{name} = [{} items]", items.len())?,
                _ => write!(f, "{name} = {value}")?,
            }
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn serde_round_trip_keeps_order() {
        let c = Configuration::new().with("z", 1).with("a", json!("x")).with("m", 0.5);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"z":1,"a":"x","m":0.5}"#);
        let back: Configuration = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
        assert_eq!(back["a"], json!("x"));
        assert_eq!(back["missing"], Value::Null);
    }

    #[test]
    fn display_abbreviates() {
        let c = Configuration::new().with("hops", 2).with("p.instructions", "x".repeat(60)).with("p.demos", json!([]));
        assert_eq!(c.to_string(), format!("{{hops = 2, p.instructions = \"{}...\", p.demos = []}}", "x".repeat(37)));
    }
}
