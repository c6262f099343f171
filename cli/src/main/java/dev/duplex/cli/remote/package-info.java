/**
 * The CLI's remote transport: the engine's service interfaces answered by a Duplex server over
 * HTTP with a bearer token, so a command prints the same whether it runs in-process or remotely.
 * The server's problem documents become the exceptions and one-line messages the in-process
 * services give.
 */
package dev.duplex.cli.remote;
