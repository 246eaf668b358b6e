package org.sciport.harvest.ark;

import java.util.random.RandomGenerator;

import org.sciport.commons.error.ValidationException;

/**
 * A minter and checker of ARK identifiers in the NOID style: {@code ark:/{naan}/{shoulder}{id}{check}}.
 * <p>
 * The NAAN is the number of the organization that assigns the names, the shoulder a short prefix
 * that groups the names one minter hands out, the id is written in the betanumeric alphabet
 * ({@value #ALPHABET}: digits and consonants without {@code l}, so that no vowels spell words and
 * {@code l} is not confused with {@code 1}), and the last character is a check character computed
 * with the NOID Check Digit Algorithm over {@code {naan}/{shoulder}{id}}. The check character catches
 * every single wrong character and every swap of two adjacent characters in a name of up to 28
 * characters.
 * <p>
 * {@link #DEFAULT_NAAN 99999} with the shoulder {@link #DEFAULT_SHOULDER fk4} is the NAAN and shoulder
 * reserved for test identifiers that are never meant to be resolved.
 */
public final class Ark {

	/**
	 * The betanumeric alphabet, in the order that gives each character its ordinal value.
	 */
	public static final String ALPHABET = "0123456789bcdfghjkmnpqrstvwxz";

	/**
	 * The NAAN used when none is configured: the one reserved for test identifiers.
	 */
	public static final String DEFAULT_NAAN = "99999";

	/**
	 * The shoulder used when none is configured: the one conventionally paired with
	 * {@link #DEFAULT_NAAN} for test identifiers.
	 */
	public static final String DEFAULT_SHOULDER = "fk4";

	private static final int RADIX = ALPHABET.length();

	private static final int MINTED_MIN_LENGTH = 6;

	private static final int RANDOM_LENGTH = 8;

	private final String naan;

	private final String shoulder;

	/**
	 * Create a minter for the given NAAN and shoulder.
	 * @param naan the name assigning authority number, for example {@code 99999}
	 * @param shoulder the prefix of every minted name, for example {@code fk4}
	 * @throws IllegalArgumentException if either is empty or has characters outside the
	 * betanumeric alphabet
	 */
	public Ark(String naan, String shoulder) {
		if (!isBetanumeric(naan)) {
			throw new IllegalArgumentException(
					"ARK NAAN '" + naan + "' must be non-empty and use only the characters " + ALPHABET);
		}
		if (!isBetanumeric(shoulder)) {
			throw new IllegalArgumentException(
					"ARK shoulder '" + shoulder + "' must be non-empty and use only the characters " + ALPHABET);
		}
		this.naan = naan;
		this.shoulder = shoulder;
	}

	/**
	 * Return the NAAN of the names this minter hands out.
	 */
	public String naan() {
		return this.naan;
	}

	/**
	 * Return the shoulder of the names this minter hands out.
	 */
	public String shoulder() {
		return this.shoulder;
	}

	/**
	 * Mint the ARK for a sequence number: the number is written in betanumeric, padded with
	 * {@code 0} to at least six characters, so {@code 0} gives {@code ark:/99999/fk4000000} followed
	 * by its check character. Sequential names are guessable; see {@link #mintRandom}.
	 * @param sequence a number of zero or more
	 * @return the ARK, {@code ark:/{naan}/{shoulder}{id}{check}}
	 */
	public String mint(long sequence) {
		if (sequence < 0) {
			throw new IllegalArgumentException("ARK sequence must not be negative: " + sequence);
		}
		StringBuilder id = new StringBuilder();
		long rest = sequence;
		do {
			id.append(ALPHABET.charAt((int) (rest % RADIX)));
			rest /= RADIX;
		}
		while (rest > 0);
		while (id.length() < MINTED_MIN_LENGTH) {
			id.append('0');
		}
		return withCheck(id.reverse().toString());
	}

	/**
	 * Mint an ARK with an id of eight random betanumeric characters (about 39 bits), so that
	 * names cannot be guessed from one another. A caller that needs names to be unique must
	 * still check that a new name has not been handed out before.
	 * @param random the source of randomness, a {@link java.security.SecureRandom} in production
	 * @return the ARK, {@code ark:/{naan}/{shoulder}{id}{check}}
	 */
	public String mintRandom(RandomGenerator random) {
		char[] id = new char[RANDOM_LENGTH];
		for (int i = 0; i < id.length; i++) {
			id[i] = ALPHABET.charAt(random.nextInt(RADIX));
		}
		return withCheck(new String(id));
	}

	private String withCheck(String id) {
		String name = this.shoulder + id;
		return "ark:/" + this.naan + "/" + name + checkCharacter(this.naan + "/" + name);
	}

	@Override
	public String toString() {
		return "Ark[naan=" + this.naan + ", shoulder=" + this.shoulder + "]";
	}

	/**
	 * Compute the NOID check character of {@code {naan}/{name}}: each character is worth its
	 * position in {@link #ALPHABET} (any other character, such as {@code /}, is worth 0), each
	 * value is multiplied by the 1-based position of its character in the text, and the sum
	 * modulo 29 picks the check character from the alphabet.
	 * @param naanSlashName the text to check, for example {@code 13030/xf93gt2}
	 * @return the check character, for example {@code q}
	 */
	public static char checkCharacter(String naanSlashName) {
		long sum = 0;
		for (int i = 0; i < naanSlashName.length(); i++) {
			int ordinal = ALPHABET.indexOf(naanSlashName.charAt(i));
			if (ordinal > 0) {
				sum += (long) (i + 1) * ordinal;
			}
		}
		return ALPHABET.charAt((int) (sum % RADIX));
	}

	/**
	 * Parse an ARK written as {@code ark:/{naan}/{name}} or {@code ark:{naan}/{name}}, where the
	 * last character of the name is its check character.
	 * @param ark the text of the ARK
	 * @return its NAAN and name, the name still ending with its check character
	 * @throws ValidationException (field {@code ark}) if the text is not an ARK of that form or
	 * its check character is wrong
	 */
	public static Parsed parse(String ark) {
		String text = ark.strip();
		if (!text.regionMatches(true, 0, "ark:", 0, 4)) {
			throw malformed(ark);
		}
		String rest = text.substring(4);
		if (rest.startsWith("/")) {
			rest = rest.substring(1);
		}
		int slash = rest.indexOf('/');
		if (slash < 0) {
			throw malformed(ark);
		}
		String naan = rest.substring(0, slash);
		String name = rest.substring(slash + 1);
		if (!isBetanumeric(naan) || !isBetanumeric(name) || name.length() < 2) {
			throw malformed(ark);
		}
		char check = checkCharacter(naan + "/" + name.substring(0, name.length() - 1));
		if (name.charAt(name.length() - 1) != check) {
			throw new ValidationException("ark",
					"The check character of '" + ark + "' is wrong; check that the identifier was copied correctly");
		}
		return new Parsed(naan, name);
	}

	private static ValidationException malformed(String ark) {
		return new ValidationException("ark", "'" + ark + "' is not an ARK of the form ark:/{naan}/{name}"
				+ " written with the characters " + ALPHABET);
	}

	private static boolean isBetanumeric(String text) {
		if (text.isEmpty()) {
			return false;
		}
		for (int i = 0; i < text.length(); i++) {
			if (ALPHABET.indexOf(text.charAt(i)) < 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * An ARK taken apart.
	 * @param naan the name assigning authority number
	 * @param name the name, ending with its check character
	 */
	public record Parsed(String naan, String name) {

		/**
		 * Return the ARK in its canonical form, {@code ark:/{naan}/{name}}.
		 */
		public String canonical() {
			return "ark:/" + this.naan + "/" + this.name;
		}

	}

}
