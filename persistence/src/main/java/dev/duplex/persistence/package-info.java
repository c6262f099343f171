/**
 * Duplex's PostgreSQL persistence: the Flyway schema ({@code db/migration}), Jdbi repositories
 * implementing the engine's ports, the {@link dev.duplex.persistence.Database} start-up (an
 * external server by JDBC URL, or an embedded PostgreSQL shared by every Duplex process under
 * {@code <home>/db}), and the Guice {@link dev.duplex.persistence.PersistenceModule}.
 */
package dev.duplex.persistence;
