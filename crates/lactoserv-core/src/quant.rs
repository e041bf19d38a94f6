//! Quantities (placeholder module; being written).
