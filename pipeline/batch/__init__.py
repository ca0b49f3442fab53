"""Batch runs: shard the inputs, process shards (in parallel), write the run directory atomically."""
