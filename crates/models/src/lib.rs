//! Customer-base ("buy till you die") models: maximum-likelihood fits in log-parameter space and
//! per-customer predictions. Pure computation: no I/O, no threads of its own.

pub mod special;
