package dev.duplex.engine.demo;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one strategy's demo run measured; the JSON keys are the ones operators' scripts read.
 *
 * @param strategy link, copy-at-boot or snapshot-copy
 * @param singleSideWindowMs the longer of the pair's two single-side windows
 * @param switchoverGapMs the switchover's duration (S25)
 * @param requests client requests sent during the upgrade
 * @param failedRequests requests that failed even after retries
 * @param retries retries made (the first after 5 ms, doubling up to 500 ms, SIP's T1)
 * @param longestClientGapMs longest time the client went without a successful answer, anywhere in the upgrade
 * @param switchoverClientGapMs the client's gap between two successful answers around the moment the old active stepped down
 * @param dbChecksumBefore SHA-256 of the database before the upgrade
 * @param dbChecksumAfter SHA-256 of each member's database after the upgrade, over the records that existed before
 * @param bytesCopied bytes the strategy copied
 * @param totalMs the upgrade job's total time
 * @param job the upgrade job's number
 * @param state the job's final state
 */
public record DemoResult(
        @JsonProperty("strategy") String strategy,
        @JsonProperty("single_side_window_ms") long singleSideWindowMs,
        @JsonProperty("switchover_gap_ms") long switchoverGapMs,
        @JsonProperty("requests") long requests,
        @JsonProperty("failed_requests") long failedRequests,
        @JsonProperty("retries") long retries,
        @JsonProperty("longest_client_gap_ms") long longestClientGapMs,
        @JsonProperty("switchover_client_gap_ms") long switchoverClientGapMs,
        @JsonProperty("db_checksum_before") String dbChecksumBefore,
        @JsonProperty("db_checksum_after") String dbChecksumAfter,
        @JsonProperty("bytes_copied") long bytesCopied,
        @JsonProperty("total_ms") long totalMs,
        @JsonProperty("job") long job,
        @JsonProperty("state") String state) {

    /** Whether the databases came through intact and no client request was lost. */
    public boolean intact() {
        return dbChecksumBefore.equals(dbChecksumAfter) && failedRequests == 0 && state.equals("SUCCEEDED");
    }
}
