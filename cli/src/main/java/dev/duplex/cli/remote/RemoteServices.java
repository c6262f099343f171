package dev.duplex.cli.remote;

import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.JobService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The engine's services as a Duplex server answers them: what {@code Services.get} returns when
 * the CLI works through a server. Nothing here opens a database; a command whose service the
 * server does not offer is refused with the way to run it.
 */
public final class RemoteServices {
    private final ServerConnection server;
    private final Map<Class<?>, Object> services;

    private RemoteServices(ServerConnection server, PrintWriter err) {
        this.server = server;
        this.services = Map.of(
                EndpointService.class, new HttpEndpointService(server),
                ImageService.class, new HttpImageService(server),
                VolumeService.class, new HttpVolumeService(server),
                VmService.class, new HttpVmService(server),
                PairService.class, new HttpPairService(server),
                JobService.class, new HttpJobService(server),
                UpgradeService.class, new HttpUpgradeService(server, err),
                FailoverService.class, new HttpFailoverService(server));
    }

    /** The services of the server at {@code url}, with the token in {@code tokenFile} (read and checked now). */
    public static RemoteServices of(String url, Path tokenFile, PrintWriter err) {
        URI base = base(url);
        return new RemoteServices(new ServerConnection(base, TokenFile.read(tokenFile), tokenFile), err);
    }

    /** The server's base URI from what the user gave: http(s), a host, nothing after the port; plain HTTP only to this host. */
    static URI base(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Server URL '" + dev.duplex.api.VisibleText.escape(url) + "' is not a URL; give one such as"
                    + " https://duplex.example:8443 (--server or duplex.server.url)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("Server URL '" + dev.duplex.api.Redaction.redactUri(url) + "' is not an http:// or https://"
                    + " URL with a host; give one such as https://duplex.example:8443 (--server or duplex.server.url)");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("Server URL '" + dev.duplex.api.Redaction.redactUri(url) + "' has more than scheme, host and"
                    + " port; give only those, such as https://duplex.example:8443 (the token comes from the token file)");
        }
        if (scheme.equals("http") && !loopback(uri.getHost())) {
            throw new IllegalArgumentException("Server URL '" + url + "' is plain HTTP to another host: the token would cross the network"
                    + " readable; use https:// (the server serves it with duplex.server.tls.keystore)");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + "/");
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The service of {@code type}; refused for one the server does not offer. */
    public <T> T get(Class<T> type) {
        Object service = services.get(type);
        if (service == null) {
            throw notOffered();
        }
        return type.cast(service);
    }

    /** The service of {@code type} if the server offers it. */
    public <T> java.util.Optional<T> find(Class<T> type) {
        return java.util.Optional.ofNullable(services.get(type)).map(type::cast);
    }

    /** The refusal of a command that needs this host's database. */
    public ServerProblemException notOffered() {
        return new ServerProblemException(0, "This command works on this host's database only, not through the Duplex server at "
                + server.shownUrl() + "; run it on the server's host without --server (and without duplex.server.url)");
    }
}
