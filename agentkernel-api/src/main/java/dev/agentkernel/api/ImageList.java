package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /images}, MCP {@code image_list}: the images in the daemon's store, by reference.
 *
 * @param images the images
 */
public record ImageList(List<ImageView> images) {
    public ImageList {
        images = Check.list(images, "images");
    }
}
