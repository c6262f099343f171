package dev.duplex.driver.kvm;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ImageRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What Duplex keeps in a libvirt domain's {@code <metadata>}, under its own namespace: libvirt is
 * the only place the driver keeps state, so a new connection finds everything again.
 *
 * <p>An image is a domain that is never started (a template: its {@code <os>} holds the kernel,
 * initrd and command line); a VM is a domain made from one. A VM's links record the linked
 * volume and, for {@link VolumeLink.Mode#COPY_AT_BOOT}, the VM-owned copy its disk points at.
 * The environment holds the revision and the items not kept elsewhere (the UEFI variable store
 * lives in the domain's {@code <nvram>}).
 *
 * @param kind {@code image} or {@code vm}
 * @param softwareVersion the software version (of the image, or of the image a VM was made from)
 * @param image for a VM, the image it was made from; for an image, itself
 * @param source for an image, the source it was registered from
 * @param firmware {@code bios} or {@code uefi}
 * @param links for a VM, its links in order
 * @param revision the environment's revision
 * @param items the environment items kept here (base64 in the XML), in order
 */
record DuplexMetadata(
        Kind kind,
        String softwareVersion,
        ImageRef image,
        String source,
        KvmSettings.Firmware firmware,
        List<Link> links,
        long revision,
        Map<String, byte[]> items) {

    static final String NAMESPACE = "https://duplex.dev/xmlns/libvirt/1";
    static final String PREFIX = "duplex";
    static final String ROOT = "object";

    enum Kind { IMAGE, VM }

    /**
     * One link as recorded.
     *
     * @param link the link as the engine gave it
     * @param copyVolume for a copy-at-boot link, the name of the VM-owned copy in the pool
     */
    record Link(VolumeLink link, Optional<String> copyVolume) {
        Link {
            requireNonNull(link, "link is null");
            requireNonNull(copyVolume, "copyVolume is null");
        }
    }

    DuplexMetadata {
        requireNonNull(kind, "kind is null");
        requireNonNull(softwareVersion, "softwareVersion is null");
        requireNonNull(image, "image is null");
        requireNonNull(source, "source is null");
        requireNonNull(firmware, "firmware is null");
        links = List.copyOf(links);
        var copy = new LinkedHashMap<String, byte[]>();
        items.forEach((name, bytes) -> copy.put(name, bytes.clone()));
        items = java.util.Collections.unmodifiableMap(copy);
    }

    DuplexMetadata withEnvironment(long newRevision, Map<String, byte[]> newItems) {
        return new DuplexMetadata(kind, softwareVersion, image, source, firmware, links, newRevision, newItems);
    }

    DuplexMetadata withLinks(List<Link> newLinks) {
        return new DuplexMetadata(kind, softwareVersion, image, source, firmware, newLinks, revision, items);
    }

    List<VolumeLink> volumeLinks() {
        return links.stream().map(Link::link).toList();
    }

    /** The element's XML, with its namespace declared on it, as {@code virDomainSetMetadata} and {@code <metadata>} want it. */
    String toXml() {
        return toXml(PREFIX + ":", " xmlns:" + PREFIX + "=\"" + NAMESPACE + "\"");
    }

    /**
     * The element as {@code virDomainSetMetadata} wants it: unqualified, libvirt puts it in the
     * namespace itself (and refuses a fragment that declares the namespace already).
     */
    String toFragment() {
        return toXml("", "");
    }

    private String toXml(String prefix, String declaration) {
        var out = new StringBuilder();
        out.append('<').append(prefix).append(ROOT).append(declaration)
                .append(attr("kind", kind.name().toLowerCase(java.util.Locale.ROOT)))
                .append(attr("software-version", softwareVersion))
                .append(attr("image-id", image.id()))
                .append(attr("image-name", image.name()))
                .append(attr("source", source))
                .append(attr("firmware", firmware.word()))
                .append(attr("revision", Long.toString(revision)))
                .append('>');
        for (Link l : links) {
            out.append('<').append(prefix).append("link")
                    .append(attr("volume-id", l.link().volume().id()))
                    .append(attr("volume-name", l.link().volume().name()))
                    .append(attr("path", l.link().mountPath()))
                    .append(attr("mode", l.link().mode().name()));
            l.copyVolume().ifPresent(c -> out.append(attr("copy", c)));
            out.append("/>");
        }
        items.forEach((name, bytes) -> out.append('<').append(prefix).append("item").append(attr("name", name)).append('>')
                .append(Base64.getEncoder().encodeToString(bytes))
                .append("</").append(prefix).append("item>"));
        out.append("</").append(prefix).append(ROOT).append('>');
        return out.toString();
    }

    /** Reads the element back; empty when it is not Duplex's. */
    static Optional<DuplexMetadata> fromElement(Element root) {
        if (root == null || !NAMESPACE.equals(root.getNamespaceURI()) || !ROOT.equals(root.getLocalName())) {
            return Optional.empty();
        }
        Kind kind = "image".equals(root.getAttribute("kind")) ? Kind.IMAGE : Kind.VM;
        var links = new java.util.ArrayList<Link>();
        var items = new LinkedHashMap<String, byte[]>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            // Children are in Duplex's namespace, or in none when libvirt stored a fragment set
            // through virDomainSetMetadata (it qualifies the root element only).
            if (!(n instanceof Element e) || !(e.getNamespaceURI() == null || NAMESPACE.equals(e.getNamespaceURI()))) {
                continue;
            }
            if ("link".equals(e.getLocalName())) {
                var volume = new VolumeRef(e.getAttribute("volume-id"), e.getAttribute("volume-name"));
                var link = new VolumeLink(volume, e.getAttribute("path"), VolumeLink.Mode.valueOf(e.getAttribute("mode")));
                String copy = e.getAttribute("copy");
                links.add(new Link(link, copy.isEmpty() ? Optional.empty() : Optional.of(copy)));
            } else if ("item".equals(e.getLocalName())) {
                items.put(e.getAttribute("name"), Base64.getDecoder().decode(e.getTextContent().strip()));
            }
        }
        String revision = root.getAttribute("revision");
        return Optional.of(new DuplexMetadata(
                kind,
                root.getAttribute("software-version"),
                new ImageRef(root.getAttribute("image-id"), root.getAttribute("image-name")),
                root.getAttribute("source"),
                "uefi".equals(root.getAttribute("firmware")) ? KvmSettings.Firmware.UEFI : KvmSettings.Firmware.BIOS,
                links,
                revision.isEmpty() ? 0 : Long.parseLong(revision),
                items));
    }

    private static String attr(String name, String value) {
        return " " + name + "=\"" + Xml.escape(value) + "\"";
    }
}
