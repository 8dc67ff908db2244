"""A stand-in for AWS Glue's Python library (awsglue is not installable here): only what the ITs call, written as
Glue's own calls the JVM, so that the agent sees a Glue DynamicFrame write as it does on Glue."""
