package dev.duplex.engine.service;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.ImageRecord;
import java.util.List;

/**
 * Software images, registered on an endpoint ahead of an upgrade, without the database. One
 * interface for both transports ({@link EngineImageService} in this process, or over HTTP).
 */
public interface ImageService {
    ImageRecord register(RegisterImage request, Actor actor);

    List<ImageRecord> list();

    ImageRecord show(String name);

    /** Deletes an image no VM uses, on its endpoint and from the inventory. */
    ImageRecord delete(String name, Actor actor);
}
