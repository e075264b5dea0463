"""PAdES signing as Decree 30/2020 Phụ lục I lays it out: the draft's fields (`layout`), the
stamps (`appearance`), the signatures (`sign`), the keys (`keys`, `token_process`) and the
certificate check (`trust`). No UI here; `remote/` holds the remote signing adapters."""
