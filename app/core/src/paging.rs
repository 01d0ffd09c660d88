//! Pages of a list: which rows a page number asks for, and whether another
//! page follows (one row more is read than a page holds).

/// A page of `size` rows, numbered from 1 (clamped to what can exist).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    pub fn new(number: i64, size: i64) -> Self {
        Self {
            number: model::page_number(number),
            size: size.max(1),
        }
    }

    /// LIMIT: one row more than a page, to know whether another follows.
    pub fn limit(&self) -> i64 {
        self.size + 1
    }

    pub fn offset(&self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }

    /// The page these rows (read with `limit` and `offset`) make.
    pub fn rows<T>(&self, mut rows: Vec<T>) -> model::Paged<T> {
        let has_next = self.cut(&mut rows);
        model::Paged {
            lines: rows,
            page: self.number,
            has_next,
        }
    }

    /// Cuts the extra row; true when there is a next page.
    pub fn cut<T>(&self, rows: &mut Vec<T>) -> bool {
        let more = rows.len() as i64 > self.size;
        rows.truncate(self.size as usize);
        more
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_in_range_and_know_whether_more_follow() {
        let page = Page::new(i64::MAX, 20);
        assert_eq!(page.number, model::MAX_PAGE);
        assert!(page.offset() > 0);
        assert_eq!(Page::new(-5, 20).offset(), 0);
        let mut rows: Vec<i32> = (0..21).collect();
        assert!(Page::new(1, 20).cut(&mut rows));
        assert_eq!(rows.len(), 20);
        assert!(!Page::new(1, 20).cut(&mut rows));
    }
}
