//! Data parallelism without a dependency: a slice mapped over the machine's threads in contiguous chunks, results in order.

/// The machine's threads (at most 16).
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16)
}

/// `f` over contiguous chunks of `items` (at least `min_chunk` items each) on
/// separate threads; the chunks' results concatenated in order. A panic in `f`
/// propagates.
pub fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let t = threads();
    let chunk = items.len().div_ceil(t).max(min_chunk.max(1));
    if t < 2 || items.len() <= chunk {
        return f(items);
    }
    std::thread::scope(|s| {
        let f = &f;
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || f(part)))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `f` over every item, on the machine's threads; results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_chunks(items, 64, |part| part.iter().map(&f).collect())
}

/// `f(i, item)` for every item, changing it in place, on the machine's threads
/// (contiguous runs of items per thread).
pub fn for_each_mut<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync) {
    let t = threads();
    let chunk = items.len().div_ceil(t).max(1);
    if t < 2 || items.len() <= chunk {
        items.iter_mut().enumerate().for_each(|(i, x)| f(i, x));
        return;
    }
    std::thread::scope(|s| {
        let f = &f;
        for (c, part) in items.chunks_mut(chunk).enumerate() {
            s.spawn(move || {
                for (j, x) in part.iter_mut().enumerate() {
                    f(c * chunk + j, x);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u64> = (0..10_000).collect();
        assert_eq!(
            super::map(&v, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(
            super::map_chunks(&v[..3], 256, |p| p.to_vec()),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn changes_every_item_once() {
        let mut v: Vec<usize> = vec![1; 10_001];
        super::for_each_mut(&mut v, |i, x| *x += i);
        assert_eq!(v, (1..10_002).collect::<Vec<_>>());
    }
}
