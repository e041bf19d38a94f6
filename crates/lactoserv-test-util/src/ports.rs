//! Loopback ports for servers under test, free when handed out and never
//! handed to two tests of one process.

use std::net::TcpListener;

/// A free loopback port for a server to bind.
pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// Where test ports are taken from: below the range the kernel hands out
/// for `bind(0)` and for clients' source ports (32768 and up), so that no
/// port given to one test can be given to anything else between its check
/// and the server's bind.
const PORTS: std::ops::Range<u32> = 20_000..32_000;

/// `N` consecutive loopback ports, free when checked, never given to
/// another test of this process.
pub fn free_ports<const N: usize>() -> [u16; N] {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = PORTS.end - PORTS.start;
    // Another test process running at the same time starts elsewhere.
    let offset = std::process::id() % 60 * 200;
    loop {
        let taken = NEXT.fetch_add(N as u32, Ordering::Relaxed);
        let first = PORTS.start + (offset + taken) % (span - N as u32);
        let ports: [u16; N] = std::array::from_fn(|i| (first + i as u32) as u16);
        let free = ports
            .iter()
            .all(|&port| TcpListener::bind(("127.0.0.1", port)).is_ok());
        if free {
            return ports;
        }
    }
}
