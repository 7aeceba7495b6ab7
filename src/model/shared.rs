//! A vector that clones cheaply and is copied only when written while shared (copy on
//! write): the model's big columns, so that profiles holding the same data (the snapshots of
//! one program have the same stacks) keep one copy of it, and a cloned profile costs little.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A `Vec<T>` behind an [`Arc`]: reads go straight to the vector; a write to a vector that
/// is shared copies it first ([`Arc::make_mut`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shared<T>(Arc<Vec<T>>);

impl<T> Clone for Shared<T> {
    /// Another handle on the same vector (no copy).
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    /// Do both hold the same vector (not only equal ones)?
    pub fn same(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(v: Vec<T>) -> Self {
        Shared(Arc::new(v))
    }
}

impl<T> Deref for Shared<T> {
    type Target = Vec<T>;
    #[inline(always)]
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Vec<T> {
        Arc::make_mut(&mut self.0)
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Shared<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_to_a_shared_vector_copies_it_and_leaves_the_other_handle_alone() {
        let mut a: Shared<u32> = vec![1, 2, 3].into();
        let b = a.clone();
        assert!(a.same(&b));
        a.push(4);
        assert!(!a.same(&b));
        assert_eq!(*a, vec![1, 2, 3, 4]);
        assert_eq!(*b, vec![1, 2, 3]);
        // Not shared any more: written in place.
        let before = a.as_ptr();
        a[0] = 9;
        assert_eq!(a.as_ptr(), before);
        assert_eq!(*a, vec![9, 2, 3, 4]);
    }
}
