//! Validating, completing and sampling configurations.

use std::collections::BTreeMap;

use cognate_core::rng::RandomSource;

use crate::{Error, Result};

use super::{Dim, SearchSpace};
use crate::program::child_path;
use crate::variable::{Configuration, Domain, Scope};

impl SearchSpace {
    /// Checks `config`: every variable of the space that is not frozen or derived has a
    /// value in its domain, no other names appear, derived values (if given) equal what
    /// they compute to, and every constraint holds. Nothing falls back to a default.
    ///
    /// # Errors
    /// [`Error::Variable`] naming the first offending variable (or constraint) and why.
    pub fn validate(&self, config: &Configuration) -> Result<()> {
        self.complete(config).map(drop)
    }

    /// Validates `config` (as [`validate`](Self::validate)) and returns it with every
    /// derived value filled in.
    ///
    /// # Errors
    /// As [`validate`](Self::validate).
    pub fn complete(&self, config: &Configuration) -> Result<Configuration> {
        for (name, _) in config.iter() {
            match self.dims.iter().find(|d| &d.name == name) {
                None => return Err(variable(name, "unknown variable: not in the search space")),
                Some(d) if !self.active(d) => return Err(variable(name, "frozen: excluded from the search space")),
                Some(_) => {}
            }
        }
        for dim in self.dims.iter().filter(|d| self.active(d) && d.deriver().is_none()) {
            let value = config.get(&dim.name).ok_or_else(|| variable(&dim.name, "missing from the configuration"))?;
            dim.domain.check(value).map_err(|reason| variable(&dim.name, reason))?;
        }
        let (completed, scratch) = self.derive(config)?;
        if let Some(name) = self.violated(&scratch)? {
            return Err(variable(&name, "constraint violated by this configuration"));
        }
        Ok(completed)
    }

    /// Computes the derived variables of `config` (checking any given value), returning the
    /// completed configuration and the scratch one (plus frozen values) constraints read.
    pub(crate) fn derive(&self, config: &Configuration) -> Result<(Configuration, Configuration)> {
        let mut completed = config.clone();
        let mut scratch = config.clone();
        for dim in self.dims.iter().filter(|d| !self.active(d) && d.deriver().is_none()) {
            scratch.insert(dim.name.clone(), dim.current.clone());
        }
        for dim in &self.dims {
            let Some(deriver) = dim.deriver() else { continue };
            let scope_path = crate::variable::parent_path(&dim.name);
            let value = deriver(&Scope::new(&scratch, scope_path)).map_err(|e| match e {
                Error::Variable { name, reason } => {
                    variable(&dim.name, format!("cannot be derived: variable `{name}`: {reason}"))
                }
                other => variable(&dim.name, format!("cannot be derived: {other}")),
            })?;
            if let Some(given) = config.get(&dim.name) {
                if given != &value {
                    return Err(variable(
                        &dim.name,
                        format!("derived value is {value}, but the configuration says {given}"),
                    ));
                }
            }
            scratch.insert(dim.name.clone(), value.clone());
            if self.active(dim) {
                completed.insert(dim.name.clone(), value);
            }
        }
        Ok((completed, scratch))
    }

    /// The full name of the first constraint `scratch` breaks, if any.
    pub(crate) fn violated(&self, scratch: &Configuration) -> Result<Option<String>> {
        for (scope, constraint) in &self.constraints {
            let name = child_path(scope, constraint.name());
            let holds =
                constraint.holds(scratch, scope).map_err(|e| variable(&name, format!("constraint failed: {e}")))?;
            if !holds {
                return Ok(Some(name));
            }
        }
        Ok(None)
    }

    /// Every variable that is not frozen at its default, derived values computed.
    ///
    /// # Errors
    /// If a derived variable cannot be computed. Constraints are not checked (call
    /// [`validate`](Self::validate)).
    pub fn default_configuration(&self) -> Result<Configuration> {
        let config = self.sampled_dims().map(|d| (d.name.clone(), d.default.clone())).collect();
        Ok(self.derive(&config)?.0)
    }

    /// One configuration drawn uniformly per variable (log-uniformly on log scales, on the
    /// step grid for ints, among candidates for text and demo sets), derived values computed.
    /// Constraints are not checked; see [`sample_valid`](Self::sample_valid).
    ///
    /// # Errors
    /// If a derived variable cannot be computed.
    pub fn sample<R: RandomSource + ?Sized>(&self, rng: &mut R) -> Result<Configuration> {
        let mut config = Configuration::new();
        for dim in self.sampled_dims() {
            if let Some(value) = dim.domain.sample(rng, &dim.default) {
                config.insert(dim.name.clone(), value);
            }
        }
        Ok(self.derive(&config)?.0)
    }

    /// Samples until a configuration satisfies every constraint, rejecting at most
    /// `max_rejections` samples.
    ///
    /// # Errors
    /// [`Error::SearchSpace`] naming the constraints that kept failing (with counts) when
    /// every try was rejected; the errors of [`sample`](Self::sample).
    pub fn sample_valid<R: RandomSource + ?Sized>(&self, rng: &mut R, max_rejections: usize) -> Result<Configuration> {
        let mut failures: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..=max_rejections {
            let config = self.sample(rng)?;
            let (_, scratch) = self.derive(&config)?;
            match self.violated(&scratch)? {
                None => return Ok(config),
                Some(name) => *failures.entry(name).or_default() += 1,
            }
        }
        let mut failing: Vec<(String, usize)> = failures.into_iter().collect();
        failing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let list: Vec<String> = failing.iter().map(|(n, c)| format!("`{n}` ({c} times)")).collect();
        Err(Error::SearchSpace(format!(
            "no configuration satisfied the constraints in {} samples; failing: {}",
            max_rejections + 1,
            list.join(", ")
        )))
    }

    /// The variables a configuration gives values for: not frozen, not derived.
    pub(crate) fn sampled_dims(&self) -> impl Iterator<Item = &Dim> {
        self.dims.iter().filter(|d| self.active(d) && !matches!(d.domain, Domain::Derived) && d.deriver().is_none())
    }
}

pub(crate) fn variable(name: &str, reason: impl Into<String>) -> Error {
    Error::Variable { name: name.to_string(), reason: reason.into() }
}
