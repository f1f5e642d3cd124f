//! The guarantees of the README: durability of acknowledged appends, all-or-nothing imports, tamper evidence, corrections.
