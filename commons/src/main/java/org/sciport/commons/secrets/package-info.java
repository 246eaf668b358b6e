/**
 * Secrets at rest: sealed with AES-256-GCM under named, rotatable keys ({@link org.sciport.commons.secrets.SecretBox}),
 * for the secrets a service must be able to read back (service accounts' passwords, webhook signing secrets).
 */
@NullMarked
package org.sciport.commons.secrets;

import org.jspecify.annotations.NullMarked;
