//! Dynamic data: examples (dataset rows, demos) and predictions, as ordered JSON maps.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A string-keyed, insertion-ordered map of JSON values: the dynamic form of a signature's
/// inputs or outputs.
pub type Values = serde_json::Map<String, Value>;

/// One example: a dataset row or a demo. Like DSPy's `dspy.Example`, it holds any fields
/// and knows which of them are inputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// The fields, in insertion order.
    #[serde(flatten)]
    pub data: Values,
    /// The names of the input fields, once [`Example::with_inputs`] has been called.
    #[serde(skip)]
    pub input_keys: Option<Vec<String>>,
}

impl Example {
    /// An example from a map of fields.
    pub fn new(data: Values) -> Self {
        Example { data, input_keys: None }
    }

    /// Marks which fields are inputs (DSPy's `with_inputs`).
    #[must_use]
    pub fn with_inputs<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.input_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Sets a field.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.data.insert(key.into(), value.into());
        self
    }

    /// A field's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }

    /// The input fields (all fields if inputs were never marked).
    pub fn inputs(&self) -> Values {
        match &self.input_keys {
            None => self.data.clone(),
            Some(keys) => {
                self.data.iter().filter(|(k, _)| keys.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
            }
        }
    }

    /// The fields that are not inputs (empty if inputs were never marked).
    pub fn labels(&self) -> Values {
        match &self.input_keys {
            None => Values::new(),
            Some(keys) => {
                self.data.iter().filter(|(k, _)| !keys.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
            }
        }
    }
}

impl From<Values> for Example {
    fn from(data: Values) -> Self {
        Example::new(data)
    }
}

/// The outputs of one module call, as a dynamic map, plus every completion when `n > 1`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The output fields of the first completion.
    #[serde(flatten)]
    pub data: Values,
    /// All completions' outputs, when more than one was requested.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub completions: Vec<Values>,
}

impl Prediction {
    /// A prediction from a map of outputs.
    pub fn new(data: Values) -> Self {
        Prediction { data, completions: Vec::new() }
    }

    /// A module's output as a prediction: a `Prediction` as is, anything else through serde.
    ///
    /// # Errors
    /// [`crate::Error::Conversion`] when the output does not serialize to an object.
    pub fn from_output<O: serde::Serialize + 'static>(output: O) -> crate::Result<Prediction> {
        let output: Box<dyn std::any::Any> = Box::new(output);
        match output.downcast::<Prediction>() {
            Ok(prediction) => Ok(*prediction),
            Err(other) => match other.downcast::<O>() {
                Ok(other) => Ok(Prediction::new(crate::to_values(&*other, std::any::type_name::<O>())?)),
                Err(_) => unreachable!("the box holds an `O`"),
            },
        }
    }

    /// An output's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_inputs_and_labels() {
        let ex = Example::default().with("question", "2+2?").with("answer", 4).with_inputs(["question"]);
        assert_eq!(Value::Object(ex.inputs()), json!({"question": "2+2?"}));
        assert_eq!(Value::Object(ex.labels()), json!({"answer": 4}));
        assert_eq!(serde_json::to_value(&ex).unwrap(), json!({"question": "2+2?", "answer": 4}));
    }
}
