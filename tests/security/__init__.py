"""Security and privacy proofs (issue 7): each property of docs/security.md, tested."""
