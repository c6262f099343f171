package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * What the platform says about a registered image.
 *
 * @param image the image
 * @param softwareVersion the software version it was registered with
 */
public record ImageInfo(ImageRef image, String softwareVersion) {
    public ImageInfo {
        requireNonNull(image, "image is null");
        requireNonNull(softwareVersion, "softwareVersion is null");
    }
}
