/** Finding the FFmpeg programs: the ones on PATH, else the ones shipped in the bytedeco Maven artifact. */
package dev.recingest.media;
