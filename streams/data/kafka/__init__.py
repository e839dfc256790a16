"""Templates for the local Kafka broker: Maven pom, server.properties, log4j2 config."""
