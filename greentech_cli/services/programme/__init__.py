"""Programme files: a delegation with its people, companies and visits as YAML to dump and apply."""
