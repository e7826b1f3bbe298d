package snapshot

// TakesPriors implements consensus.PriorTaker: the store builds each block's
// undo record from the before-images the engine hands over in
// consensus.Write.Prior, and reads the others itself.
func (s *Store) TakesPriors() bool { return true }
