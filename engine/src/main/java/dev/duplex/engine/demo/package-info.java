/**
 * The demo and the benchmarks as engine work: a pair of a real application made, filled and
 * upgraded or failed over through the application services, and measured. The application itself
 * (its database format, its client, its service address) is behind {@link dev.duplex.engine.demo.DemoApplication},
 * which the frontend that knows it provides, as a role controller is the application's business.
 */
package dev.duplex.engine.demo;
