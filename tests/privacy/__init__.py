"""Privacy audit proofs: what citizens write keeps no identity, and forgetting finds everything."""
