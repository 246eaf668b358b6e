/**
 * Secrets at rest: the keys service-account and storage secrets are sealed with (commons
 * {@code SecretBox}), and their resealing under a new key.
 */
@NullMarked
package org.sciport.harvest.secrets;

import org.jspecify.annotations.NullMarked;
