//! Config value types shared by several built-ins.
