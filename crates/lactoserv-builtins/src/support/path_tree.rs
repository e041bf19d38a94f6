//! The routing tree of PathRouter (Lactoserv `TreeMap` with `PathKey`;
//! spec 03 PK-1..PK-6): keys are component lists, exact or wildcard, and a
//! lookup yields every binding that covers a path, most specific first.

use crate::apps::path_router::PathKey;

/// Values by path key.
#[derive(Debug)]
pub(crate) struct PathTree<V> {
    root: Node<V>,
}

#[derive(Debug)]
struct Node<V> {
    exact: Option<V>,
    wildcard: Option<V>,
    /// Searched in order: route tables are small, and comparing a few
    /// short strings costs less than hashing one.
    children: Vec<(Box<str>, Node<V>)>,
}

impl<V> Default for Node<V> {
    fn default() -> Self {
        Self {
            exact: None,
            wildcard: None,
            children: Vec::new(),
        }
    }
}

impl<V> Node<V> {
    fn child(&self, name: &str) -> Option<&Self> {
        self.children
            .iter()
            .find(|(key, _)| **key == *name)
            .map(|(_, node)| node)
    }

    fn child_mut(&mut self, name: &str) -> &mut Self {
        let at = match self.children.iter().position(|(key, _)| **key == *name) {
            Some(at) => at,
            None => {
                self.children.push((name.into(), Self::default()));
                self.children.len() - 1
            }
        };
        &mut self.children[at].1
    }
}

impl<V> Default for PathTree<V> {
    fn default() -> Self {
        Self {
            root: Node::default(),
        }
    }
}

/// One binding covering a path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Match<'a, V> {
    /// How many components of the path the key covers.
    pub(crate) depth: usize,
    /// The bound value.
    pub(crate) value: &'a V,
}

impl<V> PathTree<V> {
    /// Binds `key`; an error (`Key already bound: [a, b]`) if it was.
    pub(crate) fn insert(&mut self, key: &PathKey, value: V) -> Result<(), String> {
        let mut node = &mut self.root;
        for component in &key.components {
            node = node.child_mut(component);
        }
        let slot = if key.wildcard {
            &mut node.wildcard
        } else {
            &mut node.exact
        };
        if slot.is_some() {
            return Err(format!("Key already bound: {}", key.bracketed()));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Every binding covering the path of `components`, most specific
    /// first: the exact binding, the wildcard at the path itself, then the
    /// wildcards at shorter prefixes, longest first.
    pub(crate) fn matches<'a, 'p>(
        &'a self,
        components: impl Iterator<Item = &'p str>,
    ) -> Matches<'a, V> {
        let mut trail = Vec::with_capacity(8);
        trail.push(&self.root);
        let mut whole = true;
        for component in components {
            match trail.last().and_then(|node| node.child(component)) {
                Some(child) => trail.push(child),
                None => {
                    whole = false;
                    break;
                }
            }
        }
        Matches {
            exact_next: whole,
            trail,
        }
    }
}

/// The bindings covering a path, most specific first; see
/// [`PathTree::matches`].
pub(crate) struct Matches<'a, V> {
    /// The nodes along the path, root first; wildcards are taken from the
    /// end.
    trail: Vec<&'a Node<V>>,
    /// The exact binding of the last node is still to come.
    exact_next: bool,
}

impl<'a, V> Iterator for Matches<'a, V> {
    type Item = Match<'a, V>;

    fn next(&mut self) -> Option<Match<'a, V>> {
        if std::mem::take(&mut self.exact_next) {
            let depth = self.trail.len() - 1;
            if let Some(value) = &self.trail[depth].exact {
                return Some(Match { depth, value });
            }
        }
        while let Some(node) = self.trail.pop() {
            if let Some(value) = &node.wildcard {
                return Some(Match {
                    depth: self.trail.len(),
                    value,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::path_router::parse_path_pattern;

    fn tree(bindings: &[(&str, char)]) -> PathTree<char> {
        let mut tree = PathTree::default();
        for (pattern, value) in bindings {
            tree.insert(&parse_path_pattern(pattern).unwrap(), *value)
                .unwrap();
        }
        tree
    }

    fn lookup(tree: &PathTree<char>, path: &[&str]) -> Vec<(char, usize)> {
        tree.matches(path.iter().copied())
            .map(|m| (*m.value, m.depth))
            .collect()
    }

    #[test]
    fn finds_from_most_to_least_specific() {
        let t = tree(&[("/*", 'a'), ("/x/*", 'b'), ("/x/y/*", 'c'), ("/x/y", 'd')]);
        assert_eq!(
            lookup(&t, &["x", "y"]),
            [('d', 2), ('c', 2), ('b', 1), ('a', 0)]
        );
        let t = tree(&[("/top/*", 'x'), ("/top/middle/*", 'v')]);
        assert_eq!(lookup(&t, &["top", "middle", "bottom"])[0], ('v', 2));
    }

    #[test]
    fn exact_keys_match_only_themselves() {
        let t = tree(&[("/x", 'b'), ("/x/y", 'c'), ("/x/y/z", 'd')]);
        assert_eq!(lookup(&t, &["x", "y"]), [('c', 2)]);
        let t = tree(&[("/x", 'b')]);
        assert_eq!(lookup(&t, &["x", "y"]), []);
    }

    #[test]
    fn a_key_binds_once() {
        let mut t = tree(&[("/x/*", 'b')]);
        let err = t
            .insert(&parse_path_pattern("/x/*").unwrap(), 'c')
            .unwrap_err();
        assert_eq!(err, "Key already bound: [x, *]");
        assert!(t.insert(&parse_path_pattern("/x").unwrap(), 'c').is_ok());
        assert!(t.insert(&parse_path_pattern("/x/").unwrap(), 'd').is_ok());
    }
}
