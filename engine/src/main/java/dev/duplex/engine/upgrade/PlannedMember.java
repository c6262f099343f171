package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

/**
 * A member of a plan, with where it runs: a pair's two members may live on different endpoints,
 * even of different drivers, and the operator sees which before anything is touched.
 *
 * @param system 0 or 1 (0 for a single VM)
 * @param member the VM's name
 * @param endpoint the endpoint it runs on
 * @param driver that endpoint's driver kind ({@code local}, {@code kvm}, ...)
 * @param image the image it runs now
 * @param newImage the image the plan brings it to (its old image in a rollback's plan)
 */
public record PlannedMember(int system, String member, String endpoint, String driver, String image, String newImage) {
    public PlannedMember {
        requireNonNull(member, "member is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(driver, "driver is null");
        requireNonNull(image, "image is null");
        requireNonNull(newImage, "newImage is null");
    }
}
