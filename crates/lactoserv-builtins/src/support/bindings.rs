//! Binding shapes several built-ins share: a lone item standing for a
//! one-element list ([`OneOrMany`], [`one_or_many`]), and absolute
//! file-system paths ([`AbsolutePath`], [`FilePath`]; Lactoserv
//! `fs-util/export/Paths.js`, `mustBeAbsolutePath`).

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// A binding that takes either one item or a list of items (SerialRouter's
/// `applications`, RequestFilter's `acceptMethods`): the reference accepts a
/// lone string wherever it takes a list of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        one_or_many(deserializer, "a string or a list of strings").map(OneOrMany)
    }
}

/// Reads one item (given as a string) or a list of items; `expecting`
/// describes the binding in the error for a value of the wrong type.
pub(crate) fn one_or_many<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(OneOrManyVisitor {
        expecting,
        item: PhantomData,
    })
}

struct OneOrManyVisitor<T> {
    expecting: &'static str,
    item: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let one = T::deserialize(de::value::StrDeserializer::<E>::new(value))?;
        Ok(vec![one])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Elements go through `next_element`, so a bad one is reported with
        // its index (`applications[2]`).
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

/// An absolute file-system path binding (Lactoserv `Paths.mustBeAbsolutePath`,
/// spec 03 SR-2): starts with `/`, has no empty, `.` or `..` components, and
/// ends with `/` only if it is `/` itself.
///
/// Being this strict means the path is already in the form the reference
/// logs and hashes (ETags of files include the path), with no normalizing;
/// it also keeps the directory and file name, from which rotated files are
/// named, unambiguous.
///
/// `FILE` says whether the path must name a file, which `/` cannot (see
/// [`FilePath`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AbsolutePath<const FILE: bool = false>(String);

/// The `path` of a file service: an [`AbsolutePath`] naming a file. Unlike
/// the reference we refuse `/` itself, which names no file.
pub(crate) type FilePath = AbsolutePath<true>;

impl<const FILE: bool> AbsolutePath<FILE> {
    /// The path as given.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The path, for file-system calls.
    pub(crate) fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl FilePath {
    /// Splits the file name into prefix and suffix, the suffix being the
    /// last `.` and what follows it (`log.txt` → `log` + `.txt`; `.bashrc`
    /// → `` + `.bashrc`); rotated copies are named `<prefix>-<date>-<n><suffix>`.
    pub(crate) fn prefix_and_suffix(&self) -> (&str, &str) {
        // A valid path has at least one `/`; the name after it is not empty.
        let name = self.0.rsplit('/').next().unwrap_or_default();
        name.split_at(name.rfind('.').unwrap_or(name.len()))
    }
}

impl<const FILE: bool> fmt::Display for AbsolutePath<FILE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const FILE: bool> TryFrom<String> for AbsolutePath<FILE> {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value == "/" {
            return if FILE {
                Err(String::from("Not the path of a file: /"))
            } else {
                Ok(Self(value))
            };
        }
        let normal = value
            .strip_prefix('/')
            .is_some_and(|rest| rest.split('/').all(|part| !matches!(part, "" | "." | "..")));
        if normal {
            Ok(Self(value))
        } else {
            Err(format!("Not an absolute path: {value}"))
        }
    }
}

impl<'de, const FILE: bool> Deserialize<'de> for AbsolutePath<FILE> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::try_from(raw).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
