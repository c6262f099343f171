package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

/**
 * What to upgrade to.
 *
 * @param pair the pair's name
 * @param image0 the inventory name of the new image for system 0 (registered ahead on its endpoint)
 * @param image1 the same for system 1 (the same name when both run on one endpoint)
 * @param strategy how the new VMs get at the databases
 * @param requestedBy who asks (user@host), for the job and the audit log
 */
public record UpgradeRequest(String pair, String image0, String image1, UpgradeStrategy strategy, String requestedBy) {
    public UpgradeRequest {
        requireNonNull(pair, "pair is null");
        requireNonNull(image0, "image0 is null");
        requireNonNull(image1, "image1 is null");
        requireNonNull(strategy, "strategy is null");
        requireNonNull(requestedBy, "requestedBy is null");
    }

    /** Both members to the same image. */
    public static UpgradeRequest of(String pair, String image, UpgradeStrategy strategy, String requestedBy) {
        return new UpgradeRequest(pair, image, image, strategy, requestedBy);
    }

    public String image(int system) {
        return system == 0 ? image0 : image1;
    }
}
