"""Remote signing: the key stays with a signing service and the user approves on the phone.

One interface (`service.RemoteSigningService`), two adapters, each giving a pyHanko `Signer`
that the rest of `desktop.signing` uses like a token:

- `csc`: the Cloud Signature Consortium API v1 (CSC v1.0.4.0; the shape of Viettel MySign),
  on pyHanko's `CSCSigner`;
- `hash_poll`: submit the hash, then poll until the phone approves (the shape of VNPT SmartCA
  v1.1 "CSC-styled" and of FPT CA).

The OAuth token of the service lives in the OS keyring (`account.RemoteTokens`), never on disk.
"""
