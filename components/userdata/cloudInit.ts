// Assembles a role's files and commands into one #cloud-config document.

import { stringify } from "yaml";

export interface NodeFile {
    /** Absolute path on the instance. */
    path: string;
    /** File content. */
    content: string;
    /** Octal mode, e.g. "0644". */
    permissions: string;
}

export interface NodeSpec {
    /** Files to write, in order. */
    files: NodeFile[];
    /** systemd units to enable and start once the files are in place. */
    enable: string[];
    /** Commands before the units start (e.g. removing the distro's default nginx site). Default none. */
    prepare?: string[][];
}

/**
 * The #cloud-config user data for a node: write the files, then start the units. The settings
 * revision is a comment: it changes the template, and so rolls the group, when settings change.
 */
export function renderCloudConfig(spec: NodeSpec, settingsRevision?: string): string {
    const doc = {
        write_files: spec.files.map(f => ({ path: f.path, content: f.content, owner: "root:root", permissions: f.permissions })),
        runcmd: [
            ...(spec.prepare ?? []),
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", ...spec.enable],
        ],
    };
    const revision = settingsRevision ? `# settings revision ${settingsRevision}\n` : "";
    return "#cloud-config\n" + revision + stringify(doc, { lineWidth: 0 });
}
